'use strict';
/* global require, AbortSignal, setTimeout, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, run as it is (see below) */
/*
 * The SMTP side of MailTransport, in a worker thread of its own (issue 7): building each message
 * (mime-message.cjs), nodemailer's pooled SMTP connections, their streams and dot-stuffing take
 * more than half of the worker's CPU per email; here they run on another core than the jobs and
 * the database bookkeeping. Plain CommonJS, so that it runs as it is under Jest and from dist/
 * (the build copies it). Messages in: { id, type: 'send', message, from, boundaryBase, except,
 * deadlineMs } | { id, type: 'verify' } | { type: 'close' }. Out: { id, ok: true, info } |
 * { id, ok: false, error: { name, message, code, responseCode, response, command } }, the name
 * 'InvalidMailMessageError' for a message that cannot be built.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { createTransport } = require('nodemailer');
const { compileMessage } = require('./mime-message.cjs');

const CLOSE_GRACE_MS = 1000;
const transporter = createTransport(workerData.options, workerData.defaults);

function describe(error) {
  const e = error || {};
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    code: typeof e.code === 'string' ? e.code : undefined,
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
    response: typeof e.response === 'string' ? e.response : undefined,
    command: typeof e.command === 'string' ? e.command : undefined,
  };
}

async function handle(request) {
  if (request.type === 'verify') {
    await transporter.verify();
    return {};
  }
  let compiled;
  try {
    compiled = compileMessage(request.message, {
      from: request.from,
      boundaryBase: request.boundaryBase,
    });
  } catch (error) {
    // An address or header nodemailer cannot encode: sending it again cannot succeed.
    const reason = error instanceof Error ? error.message : String(error);
    throw Object.assign(new Error(`the message could not be built: ${reason}`), {
      name: 'InvalidMailMessageError',
    });
  }
  // Recipients that already have the message (an earlier attempt they accepted) do not get it
  // again; with none left, nothing is sent.
  const except = new Set(request.except.map((address) => address.toLowerCase()));
  const to = compiled.envelope.to.filter((address) => !except.has(address.toLowerCase()));
  if (to.length === 0) {
    return { messageId: compiled.messageId, accepted: [], rejected: [], deferred: [] };
  }
  const info = await transporter.sendMail({
    envelope: { from: compiled.envelope.from, to },
    raw: compiled.raw,
    messageId: compiled.messageId,
    signal: AbortSignal.timeout(request.deadlineMs),
  });
  // Recipients answered "try again later" (4xx): the email is not done until they have it.
  const deferred = (info.rejectedErrors || [])
    .filter((error) => typeof error.responseCode === 'number' && error.responseCode < 500)
    .map((error) => String(error.recipient));
  return {
    messageId: info.messageId,
    accepted: (info.accepted || []).map(String),
    rejected: (info.rejected || []).map(String),
    deferred,
  };
}

parentPort.on('message', (request) => {
  if (request.type === 'close') {
    // QUIT on the idle connections; a connection still busy gets a second, then the thread ends.
    transporter.close();
    parentPort.close();
    setTimeout(() => process.exit(0), CLOSE_GRACE_MS).unref();
    return;
  }
  handle(request).then(
    (info) => parentPort.postMessage({ id: request.id, ok: true, info }),
    (error) => parentPort.postMessage({ id: request.id, ok: false, error: describe(error) }),
  );
});
