// The counter (書かない窓口) in a real browser, by keyboard: counter staff start a visit, offer a
// card reader its pairing code, type the resident's details from a residence card (a refused
// date first, kept input and the message next to the field), and end the visit; today's list
// shows it with its time. Then the マイナンバーカード: the real card agent pairs with the screen's
// code and reads a virtual card in pcscd's virtual reader (scripts/lib-card.sh), a wrong PIN
// first. Every counter page is checked with axe-core.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { addStaff, expectAccessible, launchBrowser, newPage, startServer } from "../support.mjs";

const PASSWORD = "correct horse battery staple";
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  addStaff(server, { login: "madoguchi", name: "窓口 三郎", counter: true, password: PASSWORD });
  addStaff(server, { login: "madoguchi2", name: "窓口 四郎", counter: true, password: PASSWORD });
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

async function logIn(page, login) {
  await page.goto(`${server.url}/counter`);
  await page.getByLabel("ログインID").fill(login);
  await page.getByLabel("パスワード").fill(PASSWORD);
  await Promise.all([page.waitForURL(`${server.url}/staff/counter`), page.getByRole("button", { name: "ログイン" }).press("Enter")]);
}

test("a visit is started, identified from a residence card and ended, by keyboard", async () => {
  const page = await newPage(browser, { javaScriptEnabled: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await logIn(page, "madoguchi");
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
  await page.locator("#code").fill("ABC");
  await page.getByRole("button", { name: "コードで開く" }).press("Enter");
  await page.locator("#code-error").waitFor();
  assert.equal(await page.locator("#code").inputValue(), "ABC", "the code typed is kept");
  await expectAccessible(page, "counter visit with a refused code");

  await Promise.all([page.waitForURL(`${server.url}/staff/counter`), page.getByRole("button", { name: "受付を終了する" }).press("Enter")]);
  const list = await page.locator("main").innerText();
  assert.match(list, /SMITH JOHN/);
  assert.match(list, /終了/);
  await expectAccessible(page, "counter visits");
});

/** Waits until `agent check` reaches the card on the virtual reader (it spends no PIN try). */
function waitUntilTheReaderHasACard(agentBin) {
  let last;
  for (let i = 0; i < 50; i++) {
    last = spawnSync(agentBin, ["check", "--reader", "Virtual PCD 00 00"], { encoding: "utf8" });
    if (/残り\d回/.test(last.stdout)) return;
    spawnSync("sleep", ["0.2"]);
  }
  throw new Error(`the reader never had the card: ${last.stdout}${last.stderr}`);
}

/** Waits for `text` on the page; on a timeout, says what the agent printed. */
async function seeOrExplain(page, text, agentOut) {
  try {
    await page.getByText(text).waitFor({ timeout: 15000 });
  } catch (error) {
    throw new Error(`${error.message}\nthe agent printed: ${agentOut.text}\nthe page shows: ${await page.locator("main").innerText()}`);
  }
}

/** Output of a child process, to wait on. */
function watch(child) {
  const seen = { text: "" };
  child.stdout.on("data", (d) => (seen.text += d.toString()));
  child.stderr.on("data", (d) => (seen.text += d.toString()));
  seen.waitFor = async (pattern, count = 1) => {
    for (let i = 0; i < 300; i++) {
      if ((seen.text.match(new RegExp(pattern, "g")) ?? []).length >= count) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`waited for ${pattern} in: ${seen.text}`);
  };
  return seen;
}

test("the マイナンバーカード is read through the paired card agent, a wrong PIN first", async () => {
  const agentBin = process.env.MADOGUCHI_AGENT_BIN;
  const cardScript = process.env.MADOGUCHI_VIRTUAL_CARD;
  assert.ok(agentBin && cardScript, "run through scripts/test-browser.sh, which builds the agent and starts pcscd");
  const page = await newPage(browser, { javaScriptEnabled: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await logIn(page, "madoguchi2");
  await Promise.all([page.waitForURL(/\/staff\/counter\/visits\//), page.getByRole("button", { name: "受付を始める" }).click()]);
  await page.getByRole("button", { name: "カードリーダーを接続する" }).click();
  const code = await page.locator(".code.token").innerText();

  const tokenFile = join(await mkdtemp(join(tmpdir(), "madoguchi-agent-")), "token");
  const paired = spawnSync(agentBin, ["pair", "--server", server.url, "--code", code, "--name", "窓口1番", "--token-file", tokenFile], { encoding: "utf8" });
  assert.equal(paired.status, 0, paired.stderr);
  const card = spawn("/usr/bin/python3", [cardScript, "--pin", "4821"], { stdio: ["ignore", "pipe", "pipe"] });
  const cardOut = watch(card);
  const agent = spawn(agentBin, ["run", "--server", server.url, "--token-file", tokenFile, "--reader", "Virtual PCD 00 00"], { stdio: ["pipe", "pipe", "pipe"] });
  const agentOut = watch(agent);
  try {
    await cardOut.waitFor("card inserted");
    await agentOut.waitFor("読み取りを待っています");
    await page.reload();
    await page.getByText("接続しているカードリーダー").waitFor();

    await page.getByRole("button", { name: "カードを読み取る" }).click();
    await agentOut.waitFor("を入力してください");
    agent.stdin.write("1111\n");
    await seeOrExplain(page, "あと2回間違えるとロックされます", agentOut);
    await expectAccessible(page, "counter visit after a wrong PIN");

    await page.getByRole("button", { name: "カードを読み取る" }).click();
    await agentOut.waitFor("を入力してください", 2);
    agent.stdin.write("4821\n");
    await seeOrExplain(page, "マイナンバーカード（券面事項入力補助AP）から読み取りました。", agentOut);
    const main = await page.locator("main").innerText();
    assert.match(main, /大田/);
    assert.match(main, /花子/);
    assert.match(main, /1985年4月1日/);
    assert.match(main, /\*{8}9018/);
    assert.doesNotMatch(main, /123456789018/);
    assert.doesNotMatch(agentOut.text, /4821/, "the agent never echoes the PIN");
    await expectAccessible(page, "counter visit identified from the card");
    await okuyamiAtTheCounter(page);
  } finally {
    agent.kill("SIGTERM");
    card.kill("SIGTERM");
  }
});

/** Two days ago in Japan, as the date boxes take it. */
function twoDaysAgo() {
  const day = new Date(Date.now() + 9 * 3600 * 1000 - 2 * 86400 * 1000);
  return { year: String(day.getUTCFullYear()), month: String(day.getUTCMonth() + 1), day: String(day.getUTCDate()) };
}

async function fillDate(page, id, { year, month, day }) {
  await page.locator(`#${id}-year`).fill(year);
  await page.locator(`#${id}-month`).fill(month);
  await page.locator(`#${id}-day`).fill(day);
}

async function next(page) {
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "次へ", exact: true }).press("Enter")]);
}

/**
 * The visit's resident (read from the card) comes after a death in the family: staff run the
 * おくやみ interview, choose 世帯主変更届 (counter only) and 国保の資格喪失届, find the applicant's
 * name and address already filled from the card, complete the rest, submit once, print the
 * sheets; each 担当課 finds its own application in its inbox.
 */
async function okuyamiAtTheCounter(page) {
  await page.getByLabel("ライフイベント").selectOption("okuyami");
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "聞き取りを始める" }).press("Enter")]);
  await expectAccessible(page, "counter interview, first page");
  await fillDate(page, "f-death_date", twoDaysAgo());
  await page.locator("#f-was_householder-0").check();
  await next(page);
  await page.locator("#f-had_kokuho-0").check();
  await page.locator("#f-over_65-1").check();
  await next(page);
  await expectAccessible(page, "counter interview, the list");
  assert.equal(await page.locator(".resume").count(), 0, "no private link to keep at the counter");
  await page.locator("#procedure-sosaihi").uncheck();
  await page.locator("#procedure-shibo-todoke").uncheck();
  assert.ok(await page.locator("#procedure-setainushi-henko").isChecked(), "a counter-only procedure is offered");
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "選んだ手続の入力を始める" }).press("Enter")]);

  await page.locator("#f-deceased_name-family").fill("大田");
  await page.locator("#f-deceased_name-given").fill("太郎");
  await page.locator("#f-deceased_name-family_kana").fill("オオタ");
  await page.locator("#f-deceased_name-given_kana").fill("タロウ");
  await next(page);
  assert.equal(await page.locator("#f-applicant_name-family").inputValue(), "大田", "the name came from the card");
  assert.match(await page.locator("#f-address").inputValue(), /蒲田/, "the address came from the card");
  await expectAccessible(page, "counter facts filled from the card");
  await page.locator("#f-applicant_name-family_kana").fill("オオタ");
  await page.locator("#f-applicant_name-given_kana").fill("ハナコ");
  await page.locator("#f-relationship-0").check();
  await page.locator("#f-phone").fill("03-5744-1111");
  await next(page);

  // 世帯主変更届: only what the facts do not say.
  await page.locator("#f-new_householder-family").fill("大田");
  await page.locator("#f-new_householder-given").fill("花子");
  await page.locator("#f-new_householder-family_kana").fill("オオタ");
  await page.locator("#f-new_householder-given_kana").fill("ハナコ");
  await fillDate(page, "f-new_householder_birth_date", { year: "1985", month: "4", day: "1" });
  await page.locator("#f-relationship_to_former-0").check();
  await expectAccessible(page, "counter form of a counter-only procedure");
  await next(page);
  // 国民健康保険の資格喪失届.
  await page.locator("#f-reason-3").check();
  await next(page);
  await page.locator("#f-name").fill("大田 太郎");
  await next(page);
  await page.locator("#f-members-0-name").fill("大田 太郎");
  await fillDate(page, "f-members-0-birth_date", { year: "1950", month: "1", day: "2" });
  await next(page);

  await assert.doesNotReject(page.getByRole("heading", { name: "まとめて申請する内容の確認" }).waitFor());
  await expectAccessible(page, "counter check page");
  await Promise.all([page.waitForURL(/\/staff\/counter\/visits\/[^/]+$/), page.getByRole("button", { name: "2件の手続をまとめて申請する" }).press("Enter")]);
  const visit = await page.locator("main").innerText();
  assert.match(visit, /この受付で申請した手続/);
  assert.match(visit, /世帯主変更届/);
  await expectAccessible(page, "counter visit with its applications");

  await Promise.all([page.waitForLoadState("load"), page.getByRole("link", { name: "申請書を印刷する" }).press("Enter")]);
  assert.equal(await page.locator("article.sheet").count(), 2, "one sheet per procedure");
  await expectAccessible(page, "counter sheets");
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".staff-header").isVisible(), false, "the sheets print without the menu");
  await page.pdf({ format: "A4" });
  await page.emulateMedia({ media: "screen" });

  for (const [login, department, mine, theirs] of [
    ["koseki", "kosekijumin", "世帯主変更届", "国民健康保険"],
    ["kokuho", "kokuho", "国民健康保険", "世帯主変更届"],
  ]) {
    addStaff(server, { login, name: `${login} 担当`, department, password: PASSWORD });
    const inbox = await newPage(browser, { javaScriptEnabled: false });
    await inbox.goto(`${server.url}/staff/login`);
    await inbox.getByLabel("ログインID").fill(login);
    await inbox.getByLabel("パスワード").fill(PASSWORD);
    await Promise.all([inbox.waitForURL(`${server.url}/staff`), inbox.getByRole("button", { name: "ログイン" }).click()]);
    const text = await inbox.locator("table.table-cases").innerText();
    assert.match(text, new RegExp(mine), `${department} sees its own`);
    assert.doesNotMatch(text, new RegExp(theirs), `${department} sees no other department's`);
    await inbox.context().close();
  }
}

test("a card whose data the server refuses is said so, and the agent waits for the next read", async () => {
  const agentBin = process.env.MADOGUCHI_AGENT_BIN;
  const cardScript = process.env.MADOGUCHI_VIRTUAL_CARD;
  assert.ok(agentBin && cardScript, "run through scripts/test-browser.sh, which builds the agent and starts pcscd");
  addStaff(server, { login: "madoguchi3", name: "窓口 五郎", counter: true, password: PASSWORD });
  const page = await newPage(browser, { javaScriptEnabled: true });
  await logIn(page, "madoguchi3");
  await Promise.all([page.waitForURL(/\/staff\/counter\/visits\//), page.getByRole("button", { name: "受付を始める" }).click()]);
  await page.getByRole("button", { name: "カードリーダーを接続する" }).click();
  const code = await page.locator(".code.token").innerText();
  const tokenFile = join(await mkdtemp(join(tmpdir(), "madoguchi-agent-")), "token");
  const paired = spawnSync(agentBin, ["pair", "--server", server.url, "--code", code, "--token-file", tokenFile], { encoding: "utf8" });
  assert.equal(paired.status, 0, paired.stderr);
  // A right-to-left override in the address: refused as it would be if typed.
  let card = spawn("/usr/bin/python3", [cardScript, "--pin", "4821", "--address", "東京都大田区\u202e蒲田"], { stdio: ["ignore", "pipe", "pipe"] });
  let cardOut = watch(card);
  const agent = spawn(agentBin, ["run", "--server", server.url, "--token-file", tokenFile, "--reader", "Virtual PCD 00 00"], { stdio: ["pipe", "pipe", "pipe"] });
  const agentOut = watch(agent);
  try {
    await cardOut.waitFor("card inserted");
    await agentOut.waitFor("読み取りを待っています");
    await page.reload();
    await page.getByRole("button", { name: "カードを読み取る" }).click();
    await agentOut.waitFor("を入力してください");
    agent.stdin.write("4821\n");
    await seeOrExplain(page, "カードのデータを読み取れませんでした", agentOut);
    card.kill("SIGTERM");
    await new Promise((r) => card.on("exit", r));
    card = spawn("/usr/bin/python3", [cardScript, "--pin", "4821"], { stdio: ["ignore", "pipe", "pipe"] });
    cardOut = watch(card);
    await cardOut.waitFor("card inserted");
    // The card left and another came within pcscd's polling: read only once pcscd has the new
    // card powered, as staff would after seeing it on the reader.
    waitUntilTheReaderHasACard(agentBin);
    await page.getByRole("button", { name: "カードを読み取る" }).click();
    await agentOut.waitFor("を入力してください", 2);
    agent.stdin.write("4821\n");
    await seeOrExplain(page, "マイナンバーカード（券面事項入力補助AP）から読み取りました。", agentOut);
    assert.equal(agent.exitCode, null, "the agent is still running");
  } finally {
    agent.kill("SIGTERM");
    card.kill("SIGTERM");
  }
});
