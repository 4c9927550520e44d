// The accessibility check itself must be able to fail: a page with an unlabelled input and
// low-contrast text is rejected, in both modes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { expectAccessible, launchBrowser, newPage, startServer } from "../support.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

for (const javaScriptEnabled of [true, false]) {
  test(`axe-core reports violations (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/healthz`);
    await page.setContent('<!doctype html><html lang="ja"><title>t</title><main><p style="color:#ccc">薄い文字</p><input type="text"></main></html>');
    await assert.rejects(expectAccessible(page, "broken page"), /label|color-contrast/);
    await page.context().close();
  });
}
