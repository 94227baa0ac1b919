// A Fedify actor that sends one of each activity to a target, for tests/protocol/payloads/capture.py: what it
// sends lands in the target node's inbox as sent, what it serves is fetched from its URLs. Lives here to use
// this folder's node_modules (the interop peer's locked @fedify/fedify).
// Usage: node capture.mjs --host 127.0.0.5 --port 9501 [--name emil]
import http from "node:http";
import { parseArgs } from "node:util";
import { Temporal } from "@js-temporal/polyfill";
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import {
  Accept, Announce, Collection, Create, Delete, Endpoints, Follow, Hashtag, Image, Like, Mention, Note, Person,
  PUBLIC_COLLECTION, Question, Tombstone, Undo, Update,
} from "@fedify/vocab";

const { values: args } = parseArgs({
  options: { host: { type: "string" }, port: { type: "string" }, name: { type: "string", default: "emil" } },
});
const origin = `http://${args.host}:${args.port}`;
const objects = new Map(); // id -> Note or Question, served at their ids
let keyPairs;

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== args.name) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Emil Fedify",
      summary: "<p>Ein Konto auf einem Fedify-Server</p>",
      url: new URL(`${origin}/@${identifier}`),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      manuallyApprovesFollowers: false,
      discoverable: true,
      published: Temporal.Instant.from("2026-01-05T09:00:00Z"),
      icon: new Image({ url: new URL(`${origin}/media/emil.png`), mediaType: "image/png" }),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((key) => key.multikey),
    });
  })
  .setKeyPairsDispatcher(async (ctx, identifier) => (identifier === args.name ? keyPairs : []));

federation.setFollowersDispatcher("/users/{identifier}/followers", async () => ({ items: [] }));
federation.setFollowingDispatcher("/users/{identifier}/following", async () => ({ items: [] }));
federation.setOutboxDispatcher("/users/{identifier}/outbox", async () => ({ items: [] }));
federation.setObjectDispatcher(Note, "/notes/{id}", (ctx, values) => objects.get(ctx.getObjectUri(Note, values).href) ?? null);
federation.setObjectDispatcher(
  Question, "/questions/{id}", (ctx, values) => objects.get(ctx.getObjectUri(Question, values).href) ?? null,
);

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    const follower = await follow.getActor();
    if (follower?.id == null || follower.inboxId == null) return;
    await ctx.sendActivity({ identifier: args.name }, follower, new Accept({
      id: new URL(`${origin}/accepts/${crypto.randomUUID()}`),
      actor: ctx.getActorUri(args.name),
      object: follow,
    }));
  })
  .on(Accept, async () => {})
  .onError((ctx, error) => console.error("inbox error:", error));

function context() {
  return federation.createContext(new URL(origin), undefined);
}

// One of each activity to the target actor, about the target's post; returns the ids in the order sent.
async function sendAll(target, post) {
  const ctx = context();
  const recipient = await ctx.lookupObject(target);
  if (recipient == null || recipient.inboxId == null) throw new Error(`no actor at ${target}`);
  const me = ctx.getActorUri(args.name);
  const send = (activity) => ctx.sendActivity({ identifier: args.name }, recipient, activity);
  const newId = (kind) => new URL(`${origin}/${kind}/${crypto.randomUUID()}`);
  const sent = {};

  const follow = new Follow({ id: newId("follows"), actor: me, object: recipient.id });
  await send(follow);
  sent.follow = follow.id.href;

  const noteId = ctx.getObjectUri(Note, { id: crypto.randomUUID() });
  const published = Temporal.Now.instant().round("second");
  const noteFields = {
    id: noteId,
    attribution: me,
    content: `<p><a href="${recipient.id.href}" class="mention">@${recipient.preferredUsername}</a> ` +
      "Neues Plakat zum Aktionstag <a href=\"" + origin + "/tags/Ehrenamt\" class=\"hashtag\">#Ehrenamt</a></p>",
    url: new URL(`${origin}/@${args.name}/${noteId.pathname.split("/").pop()}`),
    replyTarget: new URL(post),
    to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(args.name), recipient.id],
    published,
    sensitive: false,
    tags: [
      new Mention({ href: recipient.id, name: `@${recipient.preferredUsername}` }),
      new Hashtag({ href: new URL(`${origin}/tags/Ehrenamt`), name: "#Ehrenamt" }),
    ],
    attachments: [new Image({
      url: new URL(`${origin}/media/plakat.png`), mediaType: "image/png", name: "Ein Plakat zum Aktionstag",
      width: 1200, height: 800,
    })],
  };
  const note = new Note(noteFields);
  objects.set(noteId.href, note);
  const create = new Create({
    id: new URL(`${noteId.href}/activity`), actor: me, object: note, to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(args.name), recipient.id], published,
  });
  await send(create);
  sent.create = create.id.href;
  sent.note = noteId.href;

  const updated = published.add({ seconds: 60 });
  const edited = new Note({ ...noteFields, content: noteFields.content.replace("Neues Plakat", "Das neue Plakat"), updated });
  objects.set(noteId.href, edited);
  const update = new Update({
    id: new URL(`${noteId.href}#update/${updated.epochMilliseconds}`), actor: me, object: edited,
    to: PUBLIC_COLLECTION, ccs: [ctx.getFollowersUri(args.name), recipient.id], updated,
  });
  await send(update);
  sent.update = update.id.href;

  const like = new Like({ id: newId("likes"), actor: me, object: new URL(post) });
  await send(like);
  sent.like = like.id.href;

  const announce = new Announce({
    id: newId("announces"), actor: me, object: new URL(post), to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(args.name), recipient.id], published: Temporal.Now.instant().round("second"),
  });
  await send(announce);
  sent.announce = announce.id.href;

  const undo = new Undo({ id: newId("undos"), actor: me, object: like });
  await send(undo);
  sent.undo_like = undo.id.href;

  const questionId = ctx.getObjectUri(Question, { id: crypto.randomUUID() });
  const question = new Question({
    id: questionId,
    attribution: me,
    content: "<p>Wann passt euch das Treffen?</p>",
    to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(args.name), recipient.id],
    tags: [new Mention({ href: recipient.id, name: `@${recipient.preferredUsername}` })],
    published,
    endTime: published.add({ hours: 48 }),
    voters: 7,
    exclusiveOptions: [
      new Note({ name: "Dienstag", replies: new Collection({ totalItems: 4 }) }),
      new Note({ name: "Donnerstag", replies: new Collection({ totalItems: 3 }) }),
    ],
  });
  objects.set(questionId.href, question);
  const createQuestion = new Create({
    id: new URL(`${questionId.href}/activity`), actor: me, object: question, to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(args.name), recipient.id], published,
  });
  await send(createQuestion);
  sent.create_question = createQuestion.id.href;
  sent.question = questionId.href;

  const del = new Delete({
    id: new URL(`${noteId.href}#delete`), actor: me, to: PUBLIC_COLLECTION,
    object: new Tombstone({ id: noteId, deleted: Temporal.Now.instant().round("second") }),
  });
  await send(del);
  sent.delete = del.id.href;

  const unfollow = new Undo({ id: newId("undos"), actor: me, object: follow });
  await send(unfollow);
  sent.undo_follow = unfollow.id.href;
  return sent;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const server = http.createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    const url = new URL(req.url, origin);
    let response;
    if (req.method === "POST" && url.pathname === "/_control/send") {
      const { target, post } = JSON.parse(body);
      response = Response.json(await sendAll(target, post));
    } else {
      response = await federation.fetch(new Request(url, {
        method: req.method, headers: req.headers, body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
      }), { contextData: undefined });
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
