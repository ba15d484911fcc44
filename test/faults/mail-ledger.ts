import type { SmtpTestServer } from '../support/smtp-test-server';

export type MailKind = 'receipt' | 'acknowledgement';
const EXPECTED_KINDS: MailKind[] = ['receipt', 'acknowledgement'];

export interface MailTally {
  expected: number;
  delivered: number;
  /** Copies beyond the first of a (reference, kind): every one a duplicate by default. */
  duplicated: number;
  /** Of those, copies carrying the Message-ID of the first (what a receiver can drop). */
  sameMessageId: number;
  lost: number;
  /** Emails about these movements that the flow should not send (a flag, a reminder, …). */
  unexpected: string[];
  /** Each duplicate: reference, kind, copies, and whether the copies share one Message-ID. */
  duplicates: string[];
}

/**
 * What the SMTP server received, indexed by movement reference and kind as it arrives.
 * A duplicate is a second message for the same (reference, kind); the copies normally share
 * their Message-ID, derived from the delivery's idempotency key (libs/mail/src/message-id.ts).
 * With `receiverDeduplicates`, a copy whose Message-ID was already received is counted as
 * dropped by the receiver (DESIGN §6) rather than as a duplicate.
 */
export class MailLedger {
  private indexed = 0;
  /** reference → kind → Message-IDs of the copies, in order of arrival. */
  private readonly byReference = new Map<string, Map<string, string[]>>();
  private readonly unattributed: string[] = [];

  constructor(
    private readonly smtp: SmtpTestServer,
    private readonly receiverDeduplicates = false,
  ) {}

  /** Subjects received that name no movement reference: nothing in these flows sends those. */
  get strays(): string[] {
    this.sync();
    return this.unattributed;
  }

  tally(references: Iterable<string>): MailTally {
    this.sync();
    const result: MailTally = {
      expected: 0,
      delivered: 0,
      duplicated: 0,
      sameMessageId: 0,
      lost: 0,
      unexpected: [],
      duplicates: [],
    };
    for (const reference of references) {
      result.expected += EXPECTED_KINDS.length;
      const kinds = this.byReference.get(reference) ?? new Map<string, string[]>();
      for (const kind of EXPECTED_KINDS) {
        if (kinds.has(kind)) result.delivered += 1;
        else result.lost += 1;
      }
      for (const [kind, ids] of kinds) {
        if (!EXPECTED_KINDS.includes(kind as MailKind))
          result.unexpected.push(`${reference} ${kind}`);
        if (ids.length < 2) continue;
        const sameId = ids.slice(1).filter((id) => id === ids[0]).length;
        result.sameMessageId += sameId;
        result.duplicated += ids.length - 1 - (this.receiverDeduplicates ? sameId : 0);
        result.duplicates.push(
          `${reference} ${kind} x${ids.length}` +
            (sameId === ids.length - 1 ? ' (same Message-ID)' : ' (different Message-IDs)'),
        );
      }
    }
    return result;
  }

  private sync(): void {
    const received = this.smtp.received;
    for (; this.indexed < received.length; this.indexed += 1) {
      const { mail } = received[this.indexed];
      const subject = mail.subject ?? '';
      const reference = /\[(HNS-[A-Z]{2}-\d{4}-\d+)\]/.exec(subject)?.[1];
      if (!reference) {
        this.unattributed.push(subject);
        continue;
      }
      const kinds = this.byReference.get(reference) ?? new Map<string, string[]>();
      this.byReference.set(reference, kinds);
      const kind = kindOf(subject);
      kinds.set(kind, [...(kinds.get(kind) ?? []), mail.messageId ?? `(none ${this.indexed})`]);
    }
  }
}

function kindOf(subject: string): string {
  if (/Movement notification received/.test(subject)) return 'receipt';
  if (/Deconfliction acknowledgement/.test(subject)) return 'acknowledgement';
  return `other: ${subject}`;
}
