// The counter (書かない窓口) in a real browser, by keyboard: counter staff start a visit, offer a
// card reader its pairing code, type the resident's details from a residence card (a refused
// date first, kept input and the message next to the field), and end the visit; today's list
// shows it with its time. Every counter page is checked with axe-core.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addStaff, expectAccessible, launchBrowser, newPage, startServer } from "../support.mjs";

const PASSWORD = "correct horse battery staple";
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  addStaff(server, { login: "madoguchi", name: "窓口 三郎", counter: true, password: PASSWORD });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Tabs to the control named `name` and presses Enter, as counter staff do. */
async function pressByKeyboard(page, role, name) {
  const target = page.getByRole(role, { name });
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      await page.keyboard.press("Enter");
      return;
    }
  }
  throw new Error(`${name} is not reachable by Tab`);
}

test("a visit is started, identified from a residence card and ended, by keyboard", async () => {
  const page = await newPage(browser, { javaScriptEnabled: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/counter`);
  await page.getByLabel("ログインID").fill("madoguchi");
  await page.getByLabel("パスワード").fill(PASSWORD);
  await Promise.all([page.waitForURL(`${server.url}/staff/counter`), page.getByRole("button", { name: "ログイン" }).press("Enter")]);
  await expectAccessible(page, "counter visits (none yet)");

  await Promise.all([page.waitForURL(/\/staff\/counter\/visits\//), pressByKeyboard(page, "button", "受付を始める")]);
  await expectAccessible(page, "counter visit");
  await Promise.all([page.waitForLoadState("load"), pressByKeyboard(page, "button", "カードリーダーを接続する")]);
  const code = await page.locator(".code.token").innerText();
  assert.match(code, /^\d{8}$/, "an eight-digit pairing code is shown");
  await expectAccessible(page, "counter visit with a pairing code");

  await page.getByLabel("在留カード・特別永住者証明書").check();
  await page.locator("#f-name-family").fill("SMITH");
  await page.locator("#f-name-given").fill("JOHN");
  await page.locator("#f-birth_date-year").fill("1990");
  await page.locator("#f-birth_date-month").fill("2");
  await page.locator("#f-birth_date-day").fill("30");
  await page.locator("#f-address").fill("東京都大田区蒲田五丁目13番14号");
  await page.getByRole("button", { name: "本人確認を記録する" }).press("Enter");
  await page.locator(".error-summary").waitFor();
  await expectAccessible(page, "counter visit with a refused date");
  assert.equal(await page.locator("#f-name-family").inputValue(), "SMITH", "what was typed is kept");
  await page.locator("#f-birth_date-day").fill("28");
  await page.getByRole("button", { name: "本人確認を記録する" }).press("Enter");
  await page.getByText("本人確認書類を見て入力しました。").waitFor();
  await expectAccessible(page, "counter visit identified");

  await Promise.all([page.waitForURL(`${server.url}/staff/counter`), page.getByRole("button", { name: "受付を終了する" }).press("Enter")]);
  const list = await page.locator("main").innerText();
  assert.match(list, /SMITH JOHN/);
  assert.match(list, /終了/);
  await expectAccessible(page, "counter visits");
});
