/*
 * address.h - the text of a client's address (IPv4 or IPv6), as the
 * access log, the per-address connection cap and the rate limits compare
 * it.
 */
#ifndef HY_ADDRESS_H
#define HY_ADDRESS_H

#include <microhttpd.h>
#include <stddef.h>
#include <sys/socket.h>

/* The numeric text of sa in out ("192.0.2.1", "2001:db8::1"), or "-" when
 * sa is NULL or of another family. out holds at least INET6_ADDRSTRLEN
 * bytes to take any address. */
void address_text(const struct sockaddr *sa, char *out, size_t outlen);

/* The client address of conn, as address_text. */
void address_of_connection(struct MHD_Connection *conn, char *out, size_t outlen);

#endif
