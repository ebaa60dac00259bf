#include "soc_ctrl.h"

#include <string.h>

void ort_soc_ctrl_init(struct ort_soc_ctrl *s, FILE *uart_out)
{
    memset(s, 0, sizeof *s);
    s->uart_out = uart_out;
}

enum ort_soc_status ort_soc_ctrl_access(struct ort_soc_ctrl *s, uint32_t offset, unsigned size,
                                        bool is_write, uint32_t *data, uint64_t now)
{
    if (offset == ORT_SOC_REG_UART_TX && is_write) {
        if (s->uart_out) {
            int ch = (int)(*data & 0xff);
            fputc(ch, s->uart_out);
            /* A pipe or a file sees each line as the firmware ends it, not
               only at the end of the run. */
            if (ch == '\n')
                fflush(s->uart_out);
        }
        s->uart_bytes++;
        return ORT_SOC_OK;
    }
    if (size != 4 || (offset & 3))
        return ORT_SOC_ERROR;
    switch (offset) {
    case ORT_SOC_REG_UART_STATUS:
        if (is_write)
            return ORT_SOC_ERROR;
        *data = 1;
        return ORT_SOC_OK;
    case ORT_SOC_REG_SIM_EXIT:
        if (!is_write)
            return ORT_SOC_ERROR;
        s->exit_requested = true;
        s->exit_code = (int32_t)*data;
        s->exit_cycle = now;
        if (s->uart_out)
            fflush(s->uart_out);
        return ORT_SOC_EXIT;
    case ORT_SOC_REG_SIM_REGION_LABEL:
        if (!is_write)
            return ORT_SOC_ERROR;
        s->pending_label = *data;
        return ORT_SOC_OK;
    case ORT_SOC_REG_SIM_REGION_BEGIN:
    case ORT_SOC_REG_SIM_REGION_END: {
        if (!is_write)
            return ORT_SOC_ERROR;
        bool begin = offset == ORT_SOC_REG_SIM_REGION_BEGIN;
        uint32_t label = begin ? s->pending_label : 0;
        if (begin)
            s->pending_label = 0;
        s->region_markers++;
        if (s->region)
            s->region(s->region_ctx, begin, *data, label, now);
        return ORT_SOC_OK;
    }
    case ORT_SOC_REG_SIM_CYCLE_LO:
    case ORT_SOC_REG_SIM_CYCLE_HI:
        if (is_write)
            return ORT_SOC_ERROR;
        *data = (uint32_t)(offset == ORT_SOC_REG_SIM_CYCLE_LO ? now : now >> 32);
        return ORT_SOC_OK;
    default:
        return ORT_SOC_ERROR;
    }
}
