// An independent ActivityPub server for interop tests: one Person on @fedify/fedify, a JSON control API under
// /_control/ that the Python tests drive, and a log of every activity Fedify verified and let through to its
// listeners, each with the bytes as they came and the keyId of the HTTP signature of the request that brought it.
// Usage: node peer.mjs --host 127.0.0.5 --port 9501 [--name peer]
import http from "node:http";
import { parseArgs } from "node:util";
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import {
  Accept, Announce, Create, Delete, Endpoints, Follow, Like, Mention, Note, Person, PUBLIC_COLLECTION, Question, Undo,
  Update,
} from "@fedify/vocab";

const { values: args } = parseArgs({
  options: { host: { type: "string" }, port: { type: "string" }, name: { type: "string", default: "peer" } },
});
const origin = `http://${args.host}:${args.port}`;
const received = [];
const followers = new Map(); // actor id -> inbox URL
const following = new Set(); // actor ids whose Accept arrived
const notes = new Map(); // note id -> Note
const arrivals = new Map(); // activity id -> { raw, keyId } of the inbox request that brought it (before Fedify ran)
let keyPairs;

// Loopback peers are private addresses: Fedify refuses them unless told (our tests only ever use loopback).
const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== args.name) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: `Fedify peer ${identifier}`,
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((key) => key.multikey),
    });
  })
  .setKeyPairsDispatcher(async (ctx, identifier) => (identifier === args.name ? keyPairs : []));

federation.setFollowersDispatcher("/users/{identifier}/followers", async () => ({
  items: [...followers.keys()].map((id) => ({ id: new URL(id), inboxId: new URL(followers.get(id)) })),
}));

federation.setObjectDispatcher(Note, "/notes/{id}", (ctx, values) => notes.get(ctx.getObjectUri(Note, values).href) ?? null);

async function record(ctx, activity) {
  const entry = { type: activity.constructor.name, activity: await activity.toJsonLd({ contextLoader: ctx.contextLoader }) };
  Object.assign(entry, arrivals.get(activity.id?.href) ?? {});
  if (activity instanceof Create || activity instanceof Update) {
    const object = await activity.getObject();
    if (object instanceof Question) entry.poll = await pollAsRead(object);  // what Fedify's vocab makes of a Question
  }
  received.push(entry);
}

async function pollAsRead(question) {
  const options = async (notes) => {
    const read = [];
    for await (const note of notes) read.push({ name: String(note.name), votes: (await note.getReplies())?.totalItems ?? null });
    return read;
  };
  return {
    oneOf: await options(question.getExclusiveOptions()), anyOf: await options(question.getInclusiveOptions()),
    voters: question.voters, endTime: question.endTime?.toString() ?? null, closed: question.closed?.toString() ?? null,
  };
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    await record(ctx, follow);
    const follower = await follow.getActor();
    if (follower?.id == null || follower.inboxId == null) return;
    followers.set(follower.id.href, follower.inboxId.href);
    await ctx.sendActivity({ identifier: args.name }, follower, new Accept({
      id: new URL(`${origin}/accepts/${crypto.randomUUID()}`),
      actor: ctx.getActorUri(args.name),
      object: follow,
    }));
  })
  .on(Accept, async (ctx, accept) => {
    await record(ctx, accept);
    if (accept.actorId) following.add(accept.actorId.href);
  })
  .on(Create, record)
  .on(Update, record)
  .on(Delete, record)
  .on(Announce, record)
  .on(Like, record)
  .on(Undo, record)
  .onError((ctx, error) => console.error("inbox error:", error));

function context() {
  return federation.createContext(new URL(origin), undefined);
}

async function lookupActor(ctx, url) {
  const actor = await ctx.lookupObject(url);
  if (actor == null || actor.inboxId == null) throw new Error(`no actor at ${url}`);
  return actor;
}

const control = {
  async "POST /_control/follow"(body) {
    const ctx = context();
    const target = await lookupActor(ctx, body.target);
    const id = new URL(`${origin}/follows/${crypto.randomUUID()}`);
    await ctx.sendActivity({ identifier: args.name }, target, new Follow({ id, actor: ctx.getActorUri(args.name), object: target.id }));
    return { id: id.href };
  },
  async "POST /_control/note"(body) {
    const ctx = context();
    const target = await lookupActor(ctx, body.to);
    const noteId = ctx.getObjectUri(Note, { id: crypto.randomUUID() });
    const note = new Note({
      id: noteId,
      attribution: ctx.getActorUri(args.name),
      content: body.content,
      replyTarget: body.inReplyTo ? new URL(body.inReplyTo) : null,
      to: PUBLIC_COLLECTION,
      ccs: [target.id],
      tags: [new Mention({ href: target.id, name: body.to })],
    });
    notes.set(noteId.href, note);
    const create = new Create({
      id: new URL(`${noteId.href}/activity`), actor: ctx.getActorUri(args.name), object: note,
      to: PUBLIC_COLLECTION, ccs: [target.id],
    });
    await ctx.sendActivity({ identifier: args.name }, target, create);
    return { id: noteId.href, activity: create.id.href };
  },
  // A vote as Mastodon sends it: a Note named after the option, in reply to the Question, to its author only.
  async "POST /_control/vote"(body) {
    const ctx = context();
    const author = await lookupActor(ctx, body.to);
    const noteId = ctx.getObjectUri(Note, { id: crypto.randomUUID() });
    const note = new Note({
      id: noteId, attribution: ctx.getActorUri(args.name), name: body.name, replyTarget: new URL(body.question),
      to: author.id,
    });
    notes.set(noteId.href, note);
    const create = new Create({ id: new URL(`${noteId.href}/activity`), actor: ctx.getActorUri(args.name), object: note, to: author.id });
    await ctx.sendActivity({ identifier: args.name }, author, create);
    return { id: noteId.href };
  },
  // A public post that is only published (served as AS2 at its id), not sent anywhere: found by its URL.
  async "POST /_control/publish"(body) {
    const ctx = context();
    const noteId = ctx.getObjectUri(Note, { id: crypto.randomUUID() });
    const note = new Note({
      id: noteId, url: noteId, attribution: ctx.getActorUri(args.name), content: body.content,
      published: Temporal.Now.instant(), to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(args.name),
    });
    notes.set(noteId.href, note);
    return { id: noteId.href };
  },
  async "GET /_control/received"() { return received; },
  async "GET /_control/followers"() { return [...followers.keys()]; },
  async "GET /_control/following"() { return [...following]; },
};

async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  return { body, request: new Request(new URL(req.url, origin), {
    method: req.method, headers: req.headers, body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
  }) };
}

// Who signed an inbox request: the keyid of its RFC 9421 Signature-Input or its draft-cavage Signature header.
function signerKeyId(headers) {
  const header = headers["signature-input"] ?? headers.signature ?? "";
  return /keyid="([^"]+)"/i.exec(header)?.[1] ?? null;
}

function noteArrival(req, body) {
  if (req.method !== "POST" || !body.length) return;
  try {
    const id = JSON.parse(body).id;
    if (typeof id === "string") arrivals.set(id, { raw: body.toString("utf8"), keyId: signerKeyId(req.headers) });
  } catch {
    // not JSON: Fedify answers it
  }
}

const server = http.createServer(async (req, res) => {
  try {
    const { body, request } = await toRequest(req);
    noteArrival(req, body);
    const handler = control[`${req.method} ${new URL(req.url, origin).pathname}`];
    let response;
    if (handler) {
      const result = await handler(body.length ? JSON.parse(body) : {});
      response = Response.json(result);
    } else {
      response = await federation.fetch(request, { contextData: undefined });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    console.error("request error:", error);
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: String(error) }));
  }
});

keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
server.listen(Number(args.port), args.host, () => console.log(`READY ${origin}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
