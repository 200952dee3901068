/*
 * gate.h - authentication and route permissions for every API request.
 */
#ifndef HY_GATE_H
#define HY_GATE_H

/* Install the gate in the HTTP layer (the application does, once, before
 * serving). */
void gate_install(void);

#endif
