import {
  CLOSE_MEANING,
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_EVENTS,
  DEFAULT_WINDOW_EVENTS,
  DESK_FRAME_BURST,
  DESK_FRAMES_PER_SECOND,
  DESK_FRAMES_QUEUED,
  DESK_LIMIT_DEFAULTS as L,
  MAX_AGENT_FRAME_BYTES,
  MAX_DESK_FRAME_BYTES,
  PROTOCOL_VERSION,
} from './constants.js';
import { CHANNEL_CLOSE_REASONS } from '../channels/close-reasons.js';
import { PROTOCOL_NARRATIVE } from './doc-text.js';
import { FaultSchema, TransitionSchema } from './fault-schema.js';
import { agentMessages, deskMessages } from './messages.js';

/**
 * Renders docs/protocol.md: the narrative (doc-text.ts), the close codes and limits from constants.ts, and the JSON
 * Schema of every message from messages.ts. Generated; a test fails when the file and the code disagree.
 * Regenerate with `guardpost docs protocol` (all documents: npm run docs).
 */
export function renderProtocolMarkdown(): string {
  const lines: string[] = [
    `# Desk protocol, version ${PROTOCOL_VERSION}`,
    '',
    '<!-- Generated from agent/tunnel/protocol/*.ts by `guardpost docs protocol`; do not edit by hand. -->',
    '',
    PROTOCOL_NARRATIVE.trim(),
    '',
    '## Close codes',
    '',
    '| code | meaning |',
    '|---|---|',
    ...Object.entries(CLOSE_MEANING).map(([code, meaning]) => `| ${code} | ${meaning} |`),
    '',
    '## Assistance channels',
    '',
    'A desk opens channels only to agents whose hello lists `assist` (announced only when assistance is enabled); an agent without it answers `channel-open` with `channel-close` `not_supported`. The agent opens even channel numbers, the desk odd ones. `channel-open` may name the `session` it belongs to and grant the receiver initial `credit`; `channel-accept` grants the opener its credit. Bytes go only within credit; the receiver sends `channel-credit` as its consumer drains, so neither side holds more than the window it granted. Bulk data travels in binary frames: a 4-byte big-endian channel number, then the bytes (text `channel-data` carries base64 and counts the same). The agent sends fault events, acks and heartbeats at once and channel data only while its socket buffers less than a high-water mark, within each session\'s bandwidth cap (a token bucket across the session\'s channels). Ending a session closes all its channels at once.',
    '',
    '### Channel close reasons',
    '',
    '| reason | meaning |',
    '|---|---|',
    ...Object.entries(CHANNEL_CLOSE_REASONS).map(([reason, meaning]) => `| \`${reason}\` | ${meaning} |`),
    '',
    '## Limits',
    '',
    `- Largest frame the desk accepts: ${MAX_AGENT_FRAME_BYTES} bytes; the agent: ${MAX_DESK_FRAME_BYTES} bytes (larger: close 1009).`,
    `- Agent defaults, lowered by the desk's policy: batches of at most ${DEFAULT_BATCH_EVENTS} events and ${DEFAULT_BATCH_BYTES} bytes; at most ${DEFAULT_WINDOW_EVENTS} events in flight.`,
    `- What the agent takes from a desk: a burst of ${DESK_FRAME_BURST} frames, then ${DESK_FRAMES_PER_SECOND} a second, and at most ${DESK_FRAMES_QUEUED} waiting to be handled (more: close 4009, DESK_PROTOCOL_VIOLATION); a hello committing seqs the agent never assigned: close 4008, the outbox is kept.`,
    `- Desk limits per agent (desk.json \`limits\`, defaults): ${L.eventBurst} events at once, then acknowledgements at ${L.eventsPerSecond} events a second (the agent waits, nothing is dropped); ${L.maxOpenFaults} open occurrences and ${L.bytesPerDay} bytes a day stored (beyond: acknowledged, not stored, close 4021 at most once an hour); ${L.connectBurst} connections at once, then ${L.connectsPerMinute} a minute, and heartbeats no faster than the policy (beyond: close 4020).`,
    '',
    '## Shared definitions',
    '',
    'Message schemas below refer to these by `$ref`.',
    '',
    '### `Fault`',
    '',
    (FaultSchema as { description?: string }).description ?? '',
    '',
    '```json',
    schemaJson(FaultSchema, false),
    '```',
    '',
    '### `Transition`',
    '',
    (TransitionSchema as { description?: string }).description ?? '',
    '',
    '```json',
    schemaJson(TransitionSchema, false, true),
    '```',
    '',
    '## Messages from the agent',
    '',
  ];
  const section = (messages: Record<string, object>) => {
    for (const [type, schema] of Object.entries(messages)) {
      const description = (schema as { description?: string }).description ?? '';
      lines.push(`### \`${type}\``, '', description, '', '```json', schemaJson(schema), '```', '');
    }
  };
  section(agentMessages);
  lines.push('## Messages from the desk', '');
  section(deskMessages);
  return `${lines.join('\n').trimEnd()}\n`;
}

const faultJson = JSON.stringify(FaultSchema);
const transitionJson = JSON.stringify(TransitionSchema);

/** Pretty JSON with the shared definitions replaced by $ref and arrays of plain values on one line. */
function schemaJson(schema: object, refTransition = true, refFault = true): string {
  const text = JSON.stringify(
    schema,
    (_k, v: unknown) => {
      if (v && typeof v === 'object' && v !== schema) {
        const j = JSON.stringify(v);
        if (refTransition && j === transitionJson) return { $ref: '#/definitions/Transition' };
        if (refFault && j === faultJson) return { $ref: '#/definitions/Fault' };
      }
      return v;
    },
    2,
  );
  return text.replace(/\[\n\s*((?:"[^"\n]*"|-?[\d.]+|true|false|null)(?:,\n\s*(?:"[^"\n]*"|-?[\d.]+|true|false|null))*)\n\s*\]/g, (_m, body: string) => `[${body.split(/,\n\s*/).join(', ')}]`);
}
