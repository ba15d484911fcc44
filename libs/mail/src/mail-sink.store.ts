import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AddressObject, ParsedMail, simpleParser } from 'mailparser';
import { APP_CONFIG, AppConfig } from '@hns/config';

/** `<timestamp>-<16 hex>` as MailSinkServer names files: nothing else is ever opened. */
const MAIL_ID = /^\d{1,16}-[0-9a-f]{16}$/;
/** The list page shows the newest messages only; older ones stay on disk. */
const DEFAULT_LIST_LIMIT = 200;

export class InvalidMailIdError extends Error {
  constructor(id: string) {
    super(`not a mail sink message id: ${JSON.stringify(id.slice(0, 80))}`);
  }
}

export interface SinkMessageSummary {
  id: string;
  date: Date;
  from: string;
  to: string[];
  subject: string;
}

export interface SinkMessage extends SinkMessageSummary {
  cc: string[];
  messageId?: string;
  text: string;
  /** The HTML part, or null when the message has none. */
  html: string | null;
  attachments: { filename: string; contentType: string; size: number }[];
}

/** Reads the messages MailSinkServer stored in mailSinkDir (development only). */
@Injectable()
export class MailSinkStore {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'mailSinkDir'>) {}

  static isValidId(id: string): boolean {
    return MAIL_ID.test(id);
  }

  /** Newest first. */
  async list(limit = DEFAULT_LIST_LIMIT): Promise<SinkMessageSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.config.mailSinkDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = names
      .filter((name) => name.endsWith('.eml'))
      .map((name) => name.slice(0, -'.eml'.length))
      .filter((id) => MAIL_ID.test(id))
      .sort(newestFirst)
      .slice(0, limit);
    const summaries = await Promise.all(ids.map((id) => this.read(id)));
    return summaries
      .filter((message): message is SinkMessage => message !== null)
      .map(({ id, date, from, to, subject }) => ({ id, date, from, to, subject }));
  }

  /** The parsed message, or null when there is none with this id. Throws InvalidMailIdError. */
  async read(id: string): Promise<SinkMessage | null> {
    const raw = await this.readRaw(id);
    if (!raw) return null;
    const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
    // Without a Date header, the time the sink stored it (the id's prefix) stands in.
    return toSinkMessage(id, parsed, new Date(Number(id.split('-')[0])));
  }

  /** The message exactly as received, or null. Throws InvalidMailIdError. */
  async readRaw(id: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private path(id: string): string {
    if (!MAIL_ID.test(id)) throw new InvalidMailIdError(id);
    return join(this.config.mailSinkDir, `${id}.eml`);
  }
}

function toSinkMessage(id: string, mail: ParsedMail, stored: Date): SinkMessage {
  return {
    id,
    date: mail.date ?? stored,
    from: addresses(mail.from).join(', '),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject ?? '',
    messageId: mail.messageId,
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : null,
    attachments: mail.attachments.map((attachment) => ({
      filename: attachment.filename ?? '',
      contentType: attachment.contentType,
      size: attachment.size,
    })),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) =>
    object.value.map((entry) =>
      entry.name ? `${entry.name} <${entry.address}>` : (entry.address ?? ''),
    ),
  );
}

function newestFirst(a: string, b: string): number {
  const [timeA, timeB] = [a, b].map((id) => Number(id.split('-')[0]));
  return timeB - timeA || (a < b ? 1 : a > b ? -1 : 0);
}
