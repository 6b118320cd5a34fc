import { CommandDataError, type ReaderProfile, type ReaderStatus, type ResponseFrame } from '../profiles/types.js';

/** What one reader reply says about the reader, whoever asked (the settlement software, or our own probe). */
export interface ReplyMeaning {
  command: string;
  statusOk: boolean;
  status: number;
  /** The status command's decoded data, when this was a successful status reply. */
  readerStatus?: ReaderStatus;
  /** The version command's text, when this was a successful version reply. */
  version?: string;
  /** The reader says its hardware is faulty: the status bit, or the profile's hardware-fault status code. */
  hardwareFault: boolean;
  /** Data did not fit the command (a valid frame, wrong content). */
  badReply: boolean;
}

/** Name of a command code in the profile's table, else its hex code. */
export function commandName(profile: ReaderProfile, cmd: number): string {
  for (const spec of Object.values(profile.commands)) if (spec && spec.code === cmd) return spec.name;
  return `0x${cmd.toString(16).padStart(2, '0')}`;
}

export function interpretReply(profile: ReaderProfile, reply: ResponseFrame): ReplyMeaning {
  const { commands, statusCodes } = profile;
  const meaning: ReplyMeaning = {
    command: commandName(profile, reply.cmd),
    statusOk: profile.describeStatus(reply.status).ok,
    status: reply.status,
    hardwareFault: reply.status === statusCodes.hardwareFault,
    badReply: false,
  };
  if (!meaning.statusOk) return meaning;
  try {
    if (reply.cmd === commands.status.code) {
      meaning.readerStatus = commands.status.decodeReply(reply.data);
      meaning.hardwareFault ||= meaning.readerStatus.hardwareFault;
    } else if (reply.cmd === commands.version.code) {
      meaning.version = commands.version.decodeReply(reply.data);
    }
  } catch (error) {
    if (!(error instanceof CommandDataError)) throw error;
    meaning.badReply = true;
  }
  return meaning;
}
