package dev.gantry.core.chatops;

/**
 * Who asked, and which request this is.
 *
 * @param requestId Slack's trigger id: events and rebuilds started by the request carry it, so a retry finds them
 * @param invocationId unique to this attempt: the lease owner of anything it claims
 */
record Requester(String teamId, String userId, String userName, String requestId, String invocationId) {}
