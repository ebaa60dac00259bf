#include "pmu.h"

#include <stdio.h>
#include <string.h>

static const char *const domain_names[ORT_PMU_DOMAINS] = {"NPU", "weight memory", "cluster"};
static const char *const reg_names[ORT_PMU_DOMAINS] = {"NPU", "WMEM", "CLUSTER_SLEEP"};

const char *ort_pmu_domain_name(enum ort_pmu_domain d)
{
    return (unsigned)d < ORT_PMU_DOMAINS ? domain_names[d] : "?";
}

void ort_pmu_init(struct ort_pmu *p) { memset(p, 0, sizeof *p); }

/* The end of the current power-gated interval: the cluster's comes back
   on by the controller's timer; the others stay off until a write. */
static uint64_t off_end(const struct ort_pmu *p, enum ort_pmu_domain d)
{
    return d == ORT_PMU_CLUSTER ? p->cluster.off_end : UINT64_MAX;
}

uint64_t ort_pmu_off_cycles(const struct ort_pmu *p, enum ort_pmu_domain d, uint64_t now)
{
    uint64_t n = p->off_cycles[d];
    if (now > off_end(p, d))
        now = off_end(p, d);
    if (p->off[d] && now > p->since[d])
        n += now - p->since[d];
    return n;
}

uint64_t ort_pmu_wakeups(const struct ort_pmu *p, enum ort_pmu_domain d, uint64_t now)
{
    return p->wakeups[d] + (p->off[d] && now >= off_end(p, d));
}

/* Keep the first message: the first refusal is the one that explains a
   fault; later ones are often its consequences. */
static void note(struct ort_pmu *p, const char *msg)
{
    if (!p->last_error[0])
        snprintf(p->last_error, sizeof p->last_error, "%s", msg);
}

void ort_pmu_gated_access(struct ort_pmu *p, enum ort_pmu_domain d, unsigned core,
                          uint32_t addr, bool is_write, const char *what)
{
    char msg[sizeof p->last_error];
    snprintf(msg, sizeof msg,
             "core %u %s 0x%08x (%s) while the %s is power-gated (power controller %s = 0)",
             core, is_write ? "wrote" : "read", addr, what, domain_names[d], reg_names[d]);
    p->gated_accesses++;
    note(p, msg);
}

static enum rv_bus_status set_domain(struct ort_pmu *p, enum ort_pmu_domain d, uint32_t value,
                                     uint64_t now, uint32_t *extra_cycles)
{
    char msg[sizeof p->last_error];
    if (!p->present[d] || value > 1) {
        snprintf(msg, sizeof msg, "power controller: %s", !p->present[d]
                 ? "write to a domain the platform does not have (npu.enabled = 0)"
                 : "write of a value other than 0 (off) or 1 (on)");
        p->refused++;
        note(p, msg);
        return RV_BUS_ERROR;
    }
    bool on = value == 1;
    if (on == !p->off[d])
        return RV_BUS_OK; /* already in that state: nothing to pay */
    char why[160] = "";
    if (p->may_switch && !p->may_switch(p->ctx, d, on, why, sizeof why)) {
        snprintf(msg, sizeof msg, "power controller: cannot power the %s %s: %s",
                 domain_names[d], on ? "on" : "off", why);
        p->refused++;
        note(p, msg);
        return RV_BUS_ERROR;
    }
    if (on) {
        p->off_cycles[d] += now - p->since[d];
        p->wakeups[d]++;
        /* The write returns once the domain is up; the domain is "on"
           (leaking, not yet usable) during the wake-up, and only the core
           that asked can use it, after the stall. */
        *extra_cycles += p->wakeup_cycles[d];
    }
    p->off[d] = !on;
    p->since[d] = now;
    p->switches++;
    if (p->switched)
        p->switched(p->ctx, d, on, now);
    return RV_BUS_OK;
}

/* A write of `cycles` to CLUSTER_SLEEP (power_off) or CLUSTER_IDLE. The
   first write arms the wait and has the platform put the writing core to
   sleep; the writing core executes its store again at the wake-up, and
   that second write completes the wait. */
static enum rv_bus_status cluster_wait(struct ort_pmu *p, bool power_off, uint32_t cycles,
                                       uint64_t now)
{
    char msg[sizeof p->last_error];
    if (p->cluster.armed) {
        if (now < p->cluster.wake_at || power_off != p->cluster.power_off) {
            snprintf(msg, sizeof msg, "power controller: a cluster %s is under way until cycle "
                     "%llu", p->cluster.power_off ? "sleep" : "idle",
                     (unsigned long long)p->cluster.wake_at);
            p->refused++;
            note(p, msg);
            return RV_BUS_ERROR;
        }
        p->cluster.armed = false;
        if (p->cluster.power_off) {
            p->off_cycles[ORT_PMU_CLUSTER] += p->cluster.off_end - p->since[ORT_PMU_CLUSTER];
            p->wakeups[ORT_PMU_CLUSTER]++;
            p->off[ORT_PMU_CLUSTER] = false;
        } else {
            p->cluster.idles++;
        }
        return RV_BUS_OK;
    }
    const char *what = power_off ? "power the cluster off" : "idle the cluster";
    if (cycles == 0) {
        snprintf(msg, sizeof msg, "power controller: cannot %s for 0 cycles (write N > 0)", what);
        p->refused++;
        note(p, msg);
        return RV_BUS_ERROR;
    }
    char why[160] = "";
    if (p->may_switch && !p->may_switch(p->ctx, ORT_PMU_CLUSTER, false, why, sizeof why)) {
        snprintf(msg, sizeof msg, "power controller: cannot %s: %s", what, why);
        p->refused++;
        note(p, msg);
        return RV_BUS_ERROR;
    }
    p->cluster.armed = true;
    p->cluster.power_off = power_off;
    p->cluster.off_end = now + (power_off ? cycles : 0);
    p->cluster.wake_at =
        now + cycles + (power_off ? p->wakeup_cycles[ORT_PMU_CLUSTER] : 0);
    if (power_off) {
        p->off[ORT_PMU_CLUSTER] = true;
        p->since[ORT_PMU_CLUSTER] = now;
        p->switches++;
    }
    if (p->sleep_cluster)
        p->sleep_cluster(p->ctx, p->cluster.wake_at);
    return RV_BUS_OK;
}

enum rv_bus_status ort_pmu_access(struct ort_pmu *p, uint32_t offset, unsigned size,
                                  bool is_write, uint32_t *data, uint64_t now,
                                  uint32_t *extra_cycles)
{
    if (size != 4 || (offset & 3)) {
        p->refused++;
        note(p, "power controller: registers take 32-bit accesses only");
        return RV_BUS_ERROR;
    }
    switch (offset) {
    case ORT_PMU_REG_NPU:
    case ORT_PMU_REG_WMEM: {
        enum ort_pmu_domain d = offset == ORT_PMU_REG_NPU ? ORT_PMU_NPU : ORT_PMU_WMEM;
        if (is_write)
            return set_domain(p, d, *data, now, extra_cycles);
        *data = p->present[d] && !p->off[d];
        return RV_BUS_OK;
    }
    case ORT_PMU_REG_STATUS:
        if (is_write)
            break;
        *data = (p->present[ORT_PMU_NPU] && !p->off[ORT_PMU_NPU] ? ORT_PMU_STATUS_NPU : 0) |
                (p->present[ORT_PMU_WMEM] && !p->off[ORT_PMU_WMEM] ? ORT_PMU_STATUS_WMEM : 0);
        return RV_BUS_OK;
    case ORT_PMU_REG_CLUSTER_SLEEP:
    case ORT_PMU_REG_CLUSTER_IDLE:
        if (is_write)
            return cluster_wait(p, offset == ORT_PMU_REG_CLUSTER_SLEEP, *data, now);
        *data = 0;
        return RV_BUS_OK;
    case ORT_PMU_REG_CLUSTER_WAKEUP:
        if (is_write)
            break;
        *data = p->wakeup_cycles[ORT_PMU_CLUSTER];
        return RV_BUS_OK;
    default:
        break;
    }
    char msg[96];
    snprintf(msg, sizeof msg, "power controller: no register %s at offset 0x%03x",
             is_write ? "to write" : "to read", offset);
    p->refused++;
    note(p, msg);
    return RV_BUS_ERROR;
}
