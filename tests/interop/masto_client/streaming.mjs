// masto.js's streaming client against a running node: subscribes to the user stream and a local hashtag stream
// over one WebSocket (token as the subprotocol, as masto.js sends it) and prints each event as a JSON line.
// Usage: node streaming.mjs STREAMING_URL TOKEN TAG
import { createStreamingAPIClient } from "masto";

const [streamingApiUrl, accessToken, tag] = process.argv.slice(2);
const streaming = createStreamingAPIClient({ streamingApiUrl, accessToken, retry: true });

async function relay(name, subscription) {
  for await (const event of subscription) {
    const payload = event.payload;
    console.log(JSON.stringify({
      subscription: name,
      stream: event.stream,
      event: event.event,
      uri: payload?.uri ?? payload?.status?.uri ?? null,
      type: payload?.type ?? null,
      content: payload?.content ?? payload?.status?.content ?? null,
    }));
  }
}

console.log(JSON.stringify({ ready: true }));
await Promise.all([
  relay("user", streaming.user.subscribe()),
  relay("hashtag", streaming.hashtag.local.subscribe({ tag })),
]);
