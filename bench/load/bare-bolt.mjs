// The baseline for `npm run bench:load`: a Bolt app over HTTP whose only handler acknowledges
// every action. It verifies signatures like Preflight and does nothing else, so the difference
// between the two is what Preflight's own work costs per click.
import bolt from "@slack/bolt";

const { App, HTTPReceiver, LogLevel } = bolt;
const port = Number(process.env.PORT ?? "3000");
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver: new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "" }),
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await app.start({ port, host: "127.0.0.1" });
console.error(`bare Bolt is running on ${port}`);
const stop = async () => {
  await app.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
