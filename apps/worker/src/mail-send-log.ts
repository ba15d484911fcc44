import { Injectable, OnModuleInit } from '@nestjs/common';
import { logEmailSent } from '@hns/logging';
import { MailTransport } from '@hns/mail';

/**
 * One log line per email the worker hands to the SMTP server (kind, movement reference,
 * Message-ID, hashed recipients, and the request id and movement id of the job that sent it).
 * MailTransport.send is the one way out for email and has no event to listen to, so this wraps
 * the worker's instance at start-up; the API's transport is left alone.
 */
@Injectable()
export class MailSendLog implements OnModuleInit {
  constructor(private readonly transport: MailTransport) {}

  onModuleInit(): void {
    const send = this.transport.send.bind(this.transport);
    this.transport.send = async (message, options) => {
      const result = await send(message, options);
      logEmailSent(message, result);
      return result;
    };
  }
}
