/* args.h - mcping's operands, parsed once: the RESPONDER[:PORT] of the
 * client with its -g group (SSM when in 232/8 or ff3x::/32), the
 * HOST[:PORT] list of --mesh, and the groups -g allows the responder. */
#ifndef MCBOX_MCPING_ARGS_H
#define MCBOX_MCPING_ARGS_H

#include <sys/socket.h>

#include "mcping/mesh.h"
#include "mcping/responder.h"
#include "net/inet.h"

/* RESPONDER[:PORT] (port 4321 by default; family AF_UNSPEC, AF_INET or
 * AF_INET6) and GROUP (NULL: the well-known group of the responder's
 * family). g gets the responder as source when GROUP is an SSM group.
 * 0, or -1 with err_str() naming the value. */
int mcp_parse_client(const char *op, int family, const char *group,
		     struct sockaddr_storage *responder, struct mc_group *g);

/* n HOST[:PORT] operands, all of one family and one port (port: the
 * default), none twice, at most MCP_MESH_MAX, and GROUP as above into
 * cf->n, cf->host and cf->group (with the port). 0, or -1 + err_str(). */
int mcp_parse_hosts(char **ops, int n, int family, int port,
		    const char *group, struct mcp_mesh_cfg *cf);

/* Parses GROUP[/LEN] (a multicast address or prefix). 0, or -1 with
 * err_str() naming the value. */
int mcp_parse_allow(const char *s, struct mcp_allow *a);
/* Adds GROUP[/LEN] to cfg's allowed groups: 0, or -1 with err_str(). */
int mcp_resp_allow(struct mcp_resp_cfg *cfg, const char *s);

#endif
