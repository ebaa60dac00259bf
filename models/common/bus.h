/*
 * What every master and device on the simulated buses agree on: the result
 * of an access that does not go through a core's direct pointer. Shared by
 * the core (models/core) and the devices (event unit, DMA, ...) so a device
 * does not need the core's header.
 */
#ifndef ORTIGIA_BUS_H
#define ORTIGIA_BUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Result of a bus (slow-path) access. */
enum rv_bus_status {
    RV_BUS_OK,    /* done */
    RV_BUS_ERROR, /* nothing there: access fault */
    RV_BUS_STOP,  /* done, and the core must stop after this instruction */
    RV_BUS_SLEEP, /* not done: the core sleeps at this instruction and
                     executes it again when woken (event-unit waits) */
    RV_BUS_YIELD, /* done, and it woke another core: return from
                     rv_core_run after this instruction so the scheduler
                     can run the woken core in the same slice */
};

#ifdef __cplusplus
}
#endif

#endif
