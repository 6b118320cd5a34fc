/** The narrative part of docs/protocol.md (the schemas and tables are generated from the code). */
export const PROTOCOL_NARRATIVE = `
How a Guardpost agent and the central service desk talk. The agent opens the only connection; the terminal opens no
port for the desk.

## Transport and trust

- One WebSocket per agent, \`wss://\` only, to the desk's \`/agent\` path. Frames are UTF-8 JSON text, one message
  each, with a \`type\`. Binary frames carry assistance channel data (4-byte big-endian channel number, then the
  payload) and are accepted only on a connection whose agent announced \`assist\`; otherwise they close with 4002.
- Through an HTTP CONNECT proxy when configured: \`desk.proxy\` (with Basic credentials), otherwise \`HTTPS_PROXY\`
  (or \`https_proxy\`, \`ALL_PROXY\`) unless \`NO_PROXY\` names the desk host. TLS to the desk runs inside the tunnel,
  so the proxy sees only the desk's host and port.
- Mutual TLS. The agent presents its client certificate (CN = agent id; issued by the desk CA: \`guardpost desk
  issue\` until enrollment is automated). The desk refuses the handshake without one, and closes with 4006 when
  hello names another agent id.
- The agent verifies the desk against \`desk.caFile\` (the desk CA only, never the system store) and/or \`desk.pins\`
  (\`sha256/<base64 SPKI hash>\`, at most two, for rotation). With pins only, the pinned key must be in the chain the
  desk presents (the desk's own key or its CA). There is no setting that skips verification. The agent checks all
  this before the HTTP upgrade request is written.

## Version

This document is protocol version 1. Both hellos carry \`protocol\`; a peer that does not speak it closes with 4004.
Receivers ignore properties they do not know, so optional fields can be added within a version; a new required
field or a changed meaning needs a new version.

## A connection

\`\`\`
agent                                   desk
  |-- hello (id, versions, seq) -------->|   agent id checked against the certificate
  |<------- hello (deskTime, lastCommittedSeq, policy)
  |-- snapshot (all active faults) ----->|   always first after hello, on every connection
  |-- heartbeat ------------------------>|<-- heartbeat-ack (deskTime)
  |-- events [seq 41..60] -------------->|   committed (one transaction, fsync) ...
  |<------------------------ ack 60 -----|   ... then acknowledged
  |<------------------------ fault-ack --|   an engineer acknowledged a fault
  |-- fault-ack-result ----------------->|
\`\`\`

Order is enforced on both sides: nothing before hello; on the desk, events and heartbeats only after the snapshot;
event seqs strictly increasing over the connection; an ack never beyond the last seq sent nor below an earlier ack.
A violation closes the connection with 4003.

## Delivery (at least once, deduplicated: effectively once, in order)

- Every fault transition gets a per-agent \`seq\` from the agent's durable outbox, strictly increasing and never reused.
  The agent sends only seqs already on disk: while its disk fails, newer seqs exist only in memory and could be
  handed out again after a crash.
- The agent sends oldest first, in batches, with a bounded number of events in flight (sent, not acknowledged).
- The desk commits a batch and then sends a cumulative \`ack\`; the agent removes events from its outbox only then.
- After every (re)connect the agent resumes after the desk's \`lastCommittedSeq\` from desk hello, and drops from its
  outbox what the desk already has. The desk stores events under (agent, seq) and ignores a seq it already has, so
  a batch sent again after a cut connection is stored once. If the desk has seqs the agent no longer knows (its
  state was restored from an older copy), the agent continues numbering after them.
- The snapshot carries the complete set of active faults and the seq it reflects (\`asOfSeq\`): the desk's picture
  is right even when the outbox had to evict events. Events up to \`asOfSeq\` that arrive later are kept for the
  timeline but do not change the current state; an occurrence absent from the snapshot was resolved by then. A
  snapshot too large for one frame carries the most severe faults and \`complete: false\`; the desk then infers
  nothing from what is missing.
- Heartbeats re-assert open critical faults, so a desk that lost its state relearns them without a reconnect.

## Liveness

- The agent pings (WebSocket ping) every 30–45 s, a random interval each time; after 3 pings without a pong it
  takes the connection for dead and reconnects.
- Reconnects go on forever, with exponential backoff and full jitter (a random wait up to min(60 s, 1 s × 2^n)),
  reset after a connection that lasted 10 s (two agents sharing a certificate must not replace each other in a
  tight loop).
- The desk drops a connection silent (no frame, no ping) for \`idleTimeoutSeconds\` (150 s) and marks the agent
  offline.
- While the desk cannot be reached the agent raises DESK_UNREACHABLE locally (minor after 10 minutes, major after
  4 hours by default; \`desk.unreachable\`). Like any fault it is delivered when the desk is back.

## Clock

Desk hello and heartbeat-ack carry the desk's time. The agent computes skew = local time − desk time at the midpoint
of the round trip and reports it as CLOCK_SKEW (evidence \`skewSeconds\`, graded by the clock check: over 60 s
major, over 300 s critical). The agent never changes the clock.

## Acknowledgements from the desk

An engineer acknowledges a fault occurrence at the desk (API or \`guardpost desk-cli ack\`). The desk records who and
when, sends \`fault-ack\` if the agent is connected, or after the agent's next snapshot otherwise, until the agent
answers \`fault-ack-result\`. The agent marks the fault acknowledged (shown on the local page) and its
\`acknowledged\` transition comes back as an event.

## Remote assistance channels

\`channel-open\`, \`channel-accept\`, \`channel-data\`, \`channel-credit\` and \`channel-close\` multiplex assistance
channels over the one connection, each with credit-based flow control: a side sends only as many bytes as the other
granted (\`channel-accept.credit\`, then \`channel-credit\`), and bytes beyond it close the channel with
\`credit_exceeded\`. The agent numbers its channels even, the desk odd. Fault events, acknowledgements and heartbeats
go before channel data, which is sent only while the socket's buffer is below its high-water mark. An agent lists
the \`assist\` capability only when assistance is enabled in its configuration; one that does not answers
\`channel-open\` with \`channel-close\` reason \`not_supported\`, and a desk opens channels only to agents that list it.
Whether a channel is accepted is the agent's decision alone (its policy and the local operator's consent).

## Remote assistance sessions

An engineer's \`assist-request\` (kinds \`diag\`, \`shell\`, \`forward\`; reason, ticket, duration, forward targets)
is only a question. The agent checks its \`assist\` policy first and answers \`assist-state\` \`refused\` with the
rule, or \`pending\` while its operator is asked on the local page or with \`guardpost assist\`; then \`running\`
(approved by the operator, or by a maintenance window its owner wrote: \`approvedBy\` says which), \`denied\` or
\`timed-out\`. Every later change is told too (\`ended\` with \`endCause\`: operator, engineer, expiry, idle,
connection-lost, agent-stopping). Every \`assist-state\` about a request carries the desk's \`request\` id. A channel
names its running session in \`channel-open.session\`; a channel for a session that is not running is refused
\`unknown_session\`, one of a kind the session was not approved for \`denied\`. \`assist-end\` ends a running session
or withdraws a pending request, and every channel of it closes on both sides. When the connection closes, the agent
ends every session it carried: a session never outlives the tunnel it was approved over.

## Audit delivery

The agent's assistance audit log (hash-chained JSON lines, \`guardpost audit verify\`) is its own durable outbox for
the desk. After \`hello\`, the agent sends \`audit\` frames with the exact lines after the desk hello's
\`lastAuditSeq\`, oldest first, one frame awaiting its \`audit-ack\` at a time; a new connection resumes from the
desk's \`lastAuditSeq\`, so delivery is at least once and in order. The desk checks each line's own hash and that it
continues the chain (\`seq\` one more than the last stored, \`prev\` the hash of that line); a gap or a fork is a
fault shown to engineers, and what arrives is stored regardless.

## Errors

Every frame is validated against the schema of its type before it is used. A frame that is not JSON, not an object,
of an unknown type, invalid, oversized or out of order is logged with its reason and the connection is closed with
the code below; the receiver never crashes and the agent reconnects with backoff. When the desk's database fails it
closes with 1011 and has acknowledged nothing it did not commit.
`;
