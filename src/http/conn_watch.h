/*
 * conn_watch.h - a deadline for request headers that holds against slow
 * clients.
 *
 * libmicrohttpd's connection timeout is an idle timeout: a client that
 * sends one header line every few seconds keeps its connection, and a few
 * thousand such clients fill the connection table (slowloris). This module
 * tracks every connection from the moment it opens, or finishes its last
 * response, to the moment its next request's headers are complete; a
 * sweeper thread ends a connection whose headers take longer than the
 * deadline, whatever trickle it sends. It ends it with shutdown(2), which
 * makes the server's own next read see the end of the stream, so the
 * server closes and frees the connection in its own thread as for any
 * client that went away.
 */
#ifndef HY_CONN_WATCH_H
#define HY_CONN_WATCH_H

#include <microhttpd.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Start the sweeper: headers must be complete within header_seconds; one
 * client address may hold at most per_address connections, unless
 * exempt(address) says it is a trusted proxy (which speaks for many). */
int conn_watch_start(unsigned header_seconds, unsigned per_address,
                     bool (*exempt)(const char *address));

/* The MHD_AcceptPolicyCallback: refuses a connection
 * past its address's share. */
enum MHD_Result conn_watch_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void conn_watch_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION callback. */
void conn_watch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);

/* The connection's request headers are complete (first access-handler
 * call) / its response is done (it waits for the next request). */
void conn_watch_busy(struct MHD_Connection *conn);
void conn_watch_idle(struct MHD_Connection *conn);

#endif
