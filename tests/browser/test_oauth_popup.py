"""A web app on another origin logs in the way popup-based apps (Phanpy) do, in a real browser (Debian chromium via
Playwright) against a real node: it registers itself, opens /oauth/authorize with window.open, the person logs in
and consents in the popup, the popup hands the code back through window.opener.postMessage, and the app exchanges
it (PKCE S256) and reads verify_credentials. Then, from the app's origin and so through CORS: an image uploaded with
alt text, a post, the alt text edited, the conversation muted, a hashtag followed, the picture and NodeInfo read.

Django's default `Cross-Origin-Opener-Policy: same-origin` on the log-in or consent page would sever
window.opener: the popup could not hand the code back and the app would show "Failed to log in"."""

from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import screenshot
from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address

# The app's page: everything an app like Phanpy does, as plain script. NODE is filled in by the test.
APP_PAGE = """<!doctype html><meta charset="utf-8"><title>App</title>
<button id="login">Log in</button><pre id="log"></pre>
<script>
const NODE = "%(node)s";
const CALLBACK = location.origin + "/callback.html";
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
window.results = {};
let app, verifier;

async function register() {
  const form = new URLSearchParams({client_name: "Popup-App", redirect_uris: CALLBACK,
                                    scopes: "read write follow"});
  app = await (await fetch(NODE + "/api/v1/apps", {method: "POST", body: form})).json();
  verifier = b64url(crypto.getRandomValues(new Uint8Array(48)));
}

document.getElementById("login").addEventListener("click", async () => {
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({client_id: app.client_id, redirect_uri: CALLBACK, response_type: "code",
                                     scope: "read write follow", code_challenge: challenge,
                                     code_challenge_method: "S256", state: "s1"});
  window.popup = window.open(NODE + "/oauth/authorize?" + query, "login", "width=500,height=700");
});

async function api(method, path, body, token) {
  const headers = {Authorization: "Bearer " + token};
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(NODE + path, {method, headers, body: payload});
  return {status: response.status, body: await response.json()};
}

async function picture() {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const context = canvas.getContext("2d");
  context.fillStyle = "#2a6";
  context.fillRect(0, 0, 64, 64);
  return await new Promise((done) => canvas.toBlob(done, "image/png"));
}

window.addEventListener("message", async (event) => {
  if (event.origin !== location.origin || !event.data.code) return;
  const r = window.results;
  r.state = event.data.state;
  const token = await (await fetch(NODE + "/oauth/token", {method: "POST", body: new URLSearchParams({
    grant_type: "authorization_code", code: event.data.code, client_id: app.client_id,
    client_secret: app.client_secret, redirect_uri: CALLBACK, code_verifier: verifier})})).json();
  const t = token.access_token;
  r.me = (await api("GET", "/api/v1/accounts/verify_credentials", null, t)).body;
  const form = new FormData();
  form.append("file", await picture(), "bild.png");
  form.append("description", "Ein grünes Quadrat");
  const media = (await api("POST", "/api/v2/media", form, t)).body;
  r.media = media;
  const status = (await api("POST", "/api/v1/statuses",
                            {status: "Unser Sommerfest #Nachbarschaft", media_ids: [media.id]}, t)).body;
  r.edited = await api("PUT", "/api/v1/statuses/" + status.id, {
    status: "Unser Sommerfest #Nachbarschaft",  media_ids: [media.id],
    media_attributes: [{id: media.id, description: "Ein grünes Quadrat auf weißem Grund"}]}, t);
  r.muted = await api("POST", "/api/v1/statuses/" + status.id + "/mute", null, t);
  r.tag = await api("POST", "/api/v1/tags/Nachbarschaft/follow", null, t);
  r.followed = await api("GET", "/api/v1/followed_tags", null, t);
  r.picture = (await fetch(media.url)).status;
  const links = await (await fetch(NODE + "/.well-known/nodeinfo")).json();
  r.software = (await (await fetch(links.links[0].href)).json()).software.name;
  r.missing = (await api("POST", "/api/v1/no/such/route", null, t)).status;
  window.done = true;
});
register().then(() => { window.ready = true; });
</script>"""

# The redirect URI: hands the code to the window that opened the popup, as Phanpy's does.
CALLBACK_PAGE = """<!doctype html><meta charset="utf-8"><title>Callback</title><script>
const query = new URLSearchParams(location.search);
if (window.opener) {
  window.opener.postMessage({code: query.get("code"), state: query.get("state")}, location.origin);
  window.close();
} else {
  document.title = "Failed to log in";
}
</script>"""


def app_origin(tmp_path, node_base: str):
    """A static server for the app on a loopback address of its own (another origin than the node)."""
    (tmp_path / "app.html").write_text(APP_PAGE % {"node": node_base})
    (tmp_path / "callback.html").write_text(CALLBACK_PAGE)
    host, port = free_loopback_address()
    server = ThreadingHTTPServer((host, port), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    serve_thread(server).start()
    return server, f"http://{host}:{port}"


def test_popup_log_in_from_another_origin_then_media_alt_text_mute_and_hashtag(start_node, browser_page, tmp_path):
    node = start_node("popup")
    node.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    server, origin = app_origin(tmp_path, node.base)
    try:
        page = browser_page
        page.goto(f"{origin}/app.html")
        page.wait_for_function("window.ready === true")
        with page.expect_popup() as opened:
            page.click("#login")
        popup = opened.value
        popup.wait_for_load_state()
        popup.fill("#id_username", "kita")
        popup.fill("#id_password", "kita-pass-123")
        with popup.expect_navigation():
            popup.click("button[type=submit]")
        screenshot(popup, "oauth-popup-consent.png", full_page=False)
        popup.click("button[value=allow]")
        page.wait_for_function("window.done === true", timeout=60_000)
        results = page.evaluate("window.results")
    finally:
        server.shutdown()

    assert results["state"] == "s1" and results["me"]["username"] == "kita"
    assert results["media"]["description"] == "Ein grünes Quadrat"
    edited = results["edited"]
    assert edited["status"] == 200
    assert edited["body"]["media_attachments"][0]["description"] == "Ein grünes Quadrat auf weißem Grund"
    assert results["muted"]["status"] == 200 and results["muted"]["body"]["muted"] is True
    assert results["tag"]["body"]["following"] is True
    assert [t["name"] for t in results["followed"]["body"]] == ["nachbarschaft"]
    assert results["picture"] == 200  # the uploaded picture, read across origins
    assert results["software"] == "mastodon"  # what keeps Phanpy's alt-text editing on
    assert results["missing"] == 404  # a clean 404 through CORS, not a network error
