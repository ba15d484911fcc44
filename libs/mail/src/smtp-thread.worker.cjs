'use strict';
/* global require, Buffer, AbortSignal, setTimeout, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, run as it is (see below) */
/*
 * The SMTP side of MailTransport, in a worker thread of its own (issue 7): nodemailer's pooled
 * SMTP connections, their streams and dot-stuffing take about half of the worker's CPU per
 * email; here they run on another core than the jobs, the database bookkeeping and the message
 * building. Plain CommonJS, so that it runs as it is under Jest and from dist/ (the build copies
 * it). Messages in: { id, type: 'send', envelope, raw, messageId, deadlineMs } |
 * { id, type: 'verify' } | { type: 'close' }. Out: { id, ok: true, info } |
 * { id, ok: false, error: { name, message, code, responseCode, response, command } }.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { createTransport } = require('nodemailer');

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
  const info = await transporter.sendMail({
    envelope: request.envelope,
    raw: Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength),
    messageId: request.messageId,
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
