// Drives masto.js (npm `masto`) against a running fediverse-node, the way an app would:
// register, log in through the node's own pages with PKCE (S256), upload an image with alt text, post with a
// content warning, reply, read the home timeline across pages, favourite, edit, delete.
// Usage: node scenario.mjs BASE_URL USERNAME PASSWORD IMAGE.png — one JSON line per step, exit 1 on failure.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createOAuthAPIClient, createRestAPIClient } from "masto";

const [base, username, password, imagePath] = process.argv.slice(2);
const REDIRECT = "org.example.mastotest://callback";
const SCOPES = "read write follow push";

const report = (step, data) => console.log(JSON.stringify({ step, ...data }));

/** A browser's cookie jar, as far as Django's session and CSRF cookies need one. */
class CookieJar {
  cookies = new Map();
  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** The fields and action of the first form on a page (all <input>s, whatever they are). */
function readForm(html) {
  const form = html.match(/<form[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
  const action = (form[0].match(/<form[^>]*action="([^"]*)"/i) || [])[1];
  const fields = {};
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = (input[0].match(/name="([^"]*)"/) || [])[1];
    const type = (input[0].match(/type="([^"]*)"/) || [])[1];
    if (name && type !== "submit") fields[name] = decode((input[0].match(/value="([^"]*)"/) || [])[1] || "");
  }
  return { action, fields };
}

const decode = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

async function browse(jar, url, init = {}) {
  const response = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers || {}), cookie: jar.header() } });
  jar.store(response);
  return response;
}

/** Log in on the node's page and allow the app, like a person in a browser; returns the code and state. */
async function authorize(app, challenge, state) {
  const jar = new CookieJar();
  const query = new URLSearchParams({
    response_type: "code", client_id: app.clientId, redirect_uri: REDIRECT, scope: SCOPES, state,
    code_challenge: challenge, code_challenge_method: "S256",
  });
  let response = await browse(jar, `${base}/oauth/authorize?${query}`);
  let url = new URL(response.headers.get("location"), base);
  response = await browse(jar, url);
  const login = readForm(await response.text());
  Object.assign(login.fields, { username, password });
  const post = (target, fields) =>
    browse(jar, new URL(target || url.pathname, base), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", referer: url.href },
      body: new URLSearchParams(fields),
    });
  response = await post(login.action, login.fields);
  if (response.status !== 302) throw new Error(`log-in failed: ${response.status}`);
  url = new URL(response.headers.get("location"), base);
  response = await browse(jar, url);
  const consent = readForm(await response.text());
  response = await post(consent.action, { ...consent.fields, decision: "allow" });
  const location = response.headers.get("location") || "";
  if (response.status !== 302 || !location.startsWith(REDIRECT)) throw new Error(`consent failed: ${response.status} ${location}`);
  const back = new URL(location);
  return { code: back.searchParams.get("code"), state: back.searchParams.get("state") };
}

async function main() {
  const anonymous = createRestAPIClient({ url: base });
  const instance = await anonymous.v2.instance.fetch();
  report("instance", { version: instance.version });

  const app = await anonymous.v1.apps.create({ clientName: "masto.js test", redirectUris: REDIRECT, scopes: SCOPES });
  report("app", { clientId: app.clientId, redirectUri: app.redirectUri });

  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(8).toString("hex");
  const { code, state: returnedState } = await authorize(app, challenge, state);
  const oauth = createOAuthAPIClient({ url: base });
  const token = await oauth.token.create({
    grantType: "authorization_code", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: REDIRECT,
    code, codeVerifier: verifier, scope: SCOPES,
  });
  report("token", { scope: token.scope, stateKept: returnedState === state });

  const masto = createRestAPIClient({ url: base, accessToken: token.accessToken });
  const me = await masto.v1.accounts.verifyCredentials();
  report("me", { username: me.username, id: me.id });

  const png = readFileSync(imagePath);
  const media = await masto.v2.media.create({ file: new Blob([png], { type: "image/png" }), description: "Ein grünes Bild" });
  report("media", { id: media.id, url: media.url, description: media.description });

  const status = await masto.v1.statuses.create({ status: "Aus der Praxis", spoilerText: "Ein Bild", mediaIds: [media.id] });
  report("status", { id: status.id, spoilerText: status.spoilerText, media: status.mediaAttachments.map((m) => m.description) });
  const reply = await masto.v1.statuses.create({ status: "Eine Antwort", inReplyToId: status.id });
  report("reply", { id: reply.id, inReplyToId: reply.inReplyToId });

  for (let i = 0; i < 25; i++) await masto.v1.statuses.create({ status: `Beitrag ${i}` });
  const pages = [];
  for await (const page of masto.v1.timelines.home.list({ limit: 20 })) {
    pages.push(page.map((s) => s.id));
    if (pages.length === 2) break;
  }
  report("pages", { pages });

  const favourited = await masto.v1.statuses.$select(status.id).favourite();
  report("favourite", { favourited: favourited.favourited, count: favourited.favouritesCount });

  const edited = await masto.v1.statuses.$select(status.id).update({ status: "Aus der Praxis, bearbeitet", spoilerText: "Ein Bild" });
  const history = await masto.v1.statuses.$select(status.id).history.list();
  report("edit", { editedAt: edited.editedAt, versions: history.map((h) => h.content) });

  const deleted = await masto.v1.statuses.$select(reply.id).remove();
  report("delete", { text: deleted.text });
  try {
    await masto.v1.statuses.$select(reply.id).fetch();
    report("gone", { status: 200 });
  } catch (error) {
    report("gone", { status: error.statusCode, message: error.message });
  }
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
