// A provisioning system following the service's feed of events (EVT-2): it watches from its saved
// cursor, acts on each change (here: prints what provisioning would do), saves the cursor after
// each event, and after a disconnect resumes from that cursor, so nothing is lost or reordered.
// Usage: HOSTING_ADDRESS=127.0.0.1:50051 HOSTING_EVENTS_KEY=<API key with scope events>
//        [HOSTING_CURSOR_FILE=./cursor] [HOSTING_EXIT_WHEN_CAUGHT_UP=1] node events-consumer.js
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const address = process.env.HOSTING_ADDRESS || '127.0.0.1:50051';
const key = process.env.HOSTING_EVENTS_KEY;
const cursorFile = process.env.HOSTING_CURSOR_FILE || path.join(__dirname, '.events-cursor');
const exitWhenCaughtUp = process.env.HOSTING_EXIT_WHEN_CAUGHT_UP === '1';
const protos = path.join(__dirname, '..', '..', 'protos');
const definition = protoLoader.loadSync('hosting/events/v1/events.proto', { includeDirs: [protos], keepCase: false, longs: Number, enums: String, defaults: true });
const api = grpc.loadPackageDefinition(definition).hosting.events.v1;
const events = new api.EventsService(address, grpc.credentials.createInsecure());

function metadata() {
  const m = new grpc.Metadata();
  m.set('x-api-key', key);
  return m;
}

// What a provisioning system would do for each change it acts on.
const actions = {
  'product.activated': (e) => `provision ${e.data.product_type} "${e.data.name}" (${e.resource})`,
  'product.renewed': (e) => `extend ${e.data.name} until ${e.data.renewal_date}`,
  'product.terminated': (e) => `deprovision ${e.data.product_type} "${e.data.name}"`,
  'mailbox.created': (e) => `create mailbox ${e.data.address} on the mail servers`,
  'mailbox.deleted': (e) => `drop mailbox ${e.data.address}`,
  'mailbox.password_changed': (e) => `reload credentials of ${e.data.address}`,
  'invoice.paid': (e) => `book invoice ${e.data.number}: ${e.data.total_minor} ${e.data.currency} minor units`,
  'organization.deleted': (e) => `archive ${e.resource}`,
};

const readCursor = () => (fs.existsSync(cursorFile) ? fs.readFileSync(cursorFile, 'utf8').trim() : '');
const saveCursor = (cursor) => fs.writeFileSync(cursorFile, cursor);

// One watch from the saved cursor; resolves when the stream ends (or when caught up, if asked),
// rejects on an error. `stopAfter` ends the watch early, as a network failure would.
function watch({ stopAfter = Infinity, seen }) {
  return new Promise((resolve, reject) => {
    const stream = events.watchEvents({ cursor: readCursor() }, metadata());
    let count = 0;
    let cancelled = false;
    const stop = () => {
      cancelled = true;
      stream.cancel();
    };
    stream.on('data', (message) => {
      if (cancelled) {
        return;
      }
      if (message.event) {
        const e = message.event;
        seen.push(e);
        const act = actions[e.type];
        console.log(`${e.type.padEnd(24)} ${act ? act(e) : e.resource}`);
        saveCursor(e.cursor);
        if (++count >= stopAfter) {
          stop();
        }
      } else if (message.heartbeat && exitWhenCaughtUp) {
        stop();
      }
    });
    stream.on('error', (error) => (error.code === grpc.status.CANCELLED ? resolve() : reject(error)));
    stream.on('end', resolve);
  });
}

function listAll() {
  return new Promise((resolve, reject) => {
    const all = [];
    const next = (cursor) => events.listEvents({ cursor, pageSize: 500 }, metadata(), (error, page) => {
      if (error) {
        reject(error);
        return;
      }
      all.push(...page.events);
      if (page.events.length < 500) {
        resolve(all);
      } else {
        next(page.nextCursor);
      }
    });
    next('');
  });
}

async function main() {
  if (!key) {
    throw new Error('set HOSTING_EVENTS_KEY to an API key with the events scope');
  }
  if (!exitWhenCaughtUp) {
    for (;;) {
      try {
        await watch({ seen: [] });
      } catch (error) {
        console.error(`watch ended (${error.code} ${error.details}); resuming from the saved cursor`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  // The CI run: start from the beginning, drop the connection after three events, resume, and
  // check that what was received equals the feed, in order, without gap or repeat.
  saveCursor('');
  const seen = [];
  await watch({ stopAfter: 3, seen });
  await watch({ seen });
  const feed = await listAll();
  const ids = (list) => list.map((e) => e.id).join(',');
  if (ids(seen) !== ids(feed)) {
    throw new Error(`received ${seen.length} events, the feed has ${feed.length}: they differ`);
  }
  for (const type of ['organization.created', 'product.activated', 'invoice.paid', 'wallet.credited']) {
    if (!seen.some((e) => e.type === type)) {
      throw new Error(`no ${type} event seen`);
    }
  }
  const secret = seen.find((e) => Object.keys(e.data).some((k) => /password|token|hash/i.test(k)));
  if (secret) {
    throw new Error(`event ${secret.id} carries a secret field`);
  }
  console.log(`events consumer: ${seen.length} events received in feed order, resumed once without loss`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
