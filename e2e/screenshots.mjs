// Takes the back-office, life-event and counter screenshots in docs/screenshots (run by hand: `node screenshots.mjs`
// in this folder after `cargo build -p madoguchi`). Uses the demo data of `serve --demo`.
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchBrowser } from "./support.mjs";

const bin = process.env.MADOGUCHI_BIN ?? resolve(process.cwd(), "../target/debug/madoguchi");
const dataDir = await mkdtemp(join(tmpdir(), "madoguchi-shots-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const url = `http://127.0.0.1:${port}`;
const child = spawn(bin, ["serve", "--demo", "--bind", `127.0.0.1:${port}`, "--data-dir", dataDir], {
  stdio: ["ignore", "ignore", "pipe"],
});
// The demo prints each account and its password once, on standard error.
let printed = "";
child.stderr.on("data", (d) => (printed += d));
for (let i = 0; i < 100 && !/^\s+madoguchi\s+\S+/m.test(printed); i++) await new Promise((r) => setTimeout(r, 100));
const password = printed.match(/kosodate\s+(\S+)/)[1];

const minimalPdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n";
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
await page.goto(`${url}/staff/login`);
await page.getByLabel("ログインID").fill("kosodate");
await page.getByLabel("パスワード").fill(password);
await page.getByRole("button", { name: "ログイン" }).click();
await page.waitForURL(`${url}/staff`);
const out = resolve(process.cwd(), "../docs/screenshots");
await page.screenshot({ path: join(out, "back-office-inbox.png") });
await page.getByRole("link", { name: /^\d{4}-\d{7}$/ }).first().click();
await page.screenshot({ path: join(out, "back-office-case.png"), fullPage: false });

// A move out of the ward on a phone: the personal list offering the online procedures together,
// then the one check page of the bundle.
const phone = await browser.newPage({ viewport: { width: 390, height: 1100 }, locale: "ja-JP" });
const inDays = (days) => {
  const day = new Date(Date.now() + 9 * 3600 * 1000 + days * 86400 * 1000);
  return [String(day.getUTCFullYear()), String(day.getUTCMonth() + 1), String(day.getUTCDate())];
};
const fillDate = async (id, [year, month, day]) => {
  await phone.locator(`#${id}-year`).fill(year);
  await phone.locator(`#${id}-month`).fill(month);
  await phone.locator(`#${id}-day`).fill(day);
};
const fillName = async (id) => {
  for (const [part, value] of [["family", "区民"], ["given", "花子"], ["family_kana", "くみん"], ["given_kana", "はなこ"]]) {
    await phone.locator(`#${id}-${part}`).fill(value);
  }
};
const next = () => Promise.all([phone.waitForLoadState("load"), phone.getByRole("button", { name: "次へ", exact: true }).click()]);
await phone.goto(`${url}/life-events/hikkoshi`);
await phone.getByRole("button", { name: "質問に答える" }).click();
await phone.locator("#f-move_kind-2").check();
await fillDate("f-move_date", inDays(3));
await next();
for (const id of ["f-has_kokuho-1", "f-has_children-1", "f-needs_seal-1", "f-bulky_waste-0"]) await phone.locator(`#${id}`).check();
await next();
await phone.locator("#bundle-title").scrollIntoViewIfNeeded();
await phone.screenshot({ path: join(out, "life-event-list.png") });
await phone.getByRole("button", { name: "選んだ手続の入力を始める" }).click();
await fillName("f-notifier_name");
await phone.locator("#f-phone").fill("03-5744-1111");
await next();
await fillName("f-movers-0-name");
await fillDate("f-movers-0-birth_date", ["1990", "4", "1"]);
await phone.locator("#f-movers-0-relationship-0").check();
await next();
await phone.locator("#f-new_address").fill("埼玉県川口市本町1-1-1");
await phone.locator("#f-new_householder").fill("区民 花子");
await phone.locator("#f-whole_household-0").check();
await next();
await phone.locator("#f-related-0").check();
await phone.locator("#f-identity_document").setInputFiles({ name: "menkyo.pdf", mimeType: "application/pdf", buffer: Buffer.from(minimalPdf) });
await next();
await phone.locator("#f-name").fill("区民 花子");
await phone.locator("#f-address").fill("大田区蒲田5-13-14");
await next();
await phone.locator("#f-items-0-item").selectOption("desk");
await phone.locator("#f-items-0-count").fill("1");
await next();
await fillDate("f-preferred_date", inDays(10));
await phone.locator("#f-place").fill("玄関前");
await next();
await phone.screenshot({ path: join(out, "life-event-review.png") });

// The counter: a visit, the resident identified from a driving licence (the card needs a reader).
const counterPassword = printed.match(/^\s+madoguchi\s+(\S+)/m)[1];
const counter = await browser.newPage({ viewport: { width: 1280, height: 1300 }, locale: "ja-JP" });
await counter.goto(`${url}/counter`);
await counter.getByLabel("ログインID").fill("madoguchi");
await counter.getByLabel("パスワード").fill(counterPassword);
await counter.getByRole("button", { name: "ログイン" }).click();
await counter.waitForURL(`${url}/staff/counter`);
await counter.getByRole("button", { name: "受付を始める" }).click();
await counter.getByLabel("運転免許証").check();
await counter.locator("#f-name-family").fill("区民");
await counter.locator("#f-name-given").fill("花子");
await counter.locator("#f-name-family_kana").fill("クミン");
await counter.locator("#f-name-given_kana").fill("ハナコ");
await counter.locator("#f-birth_date-year").fill("1985");
await counter.locator("#f-birth_date-month").fill("4");
await counter.locator("#f-birth_date-day").fill("1");
await counter.getByLabel("女", { exact: true }).check();
await counter.locator("#f-address").fill("東京都大田区蒲田五丁目13番14号");
await counter.getByRole("button", { name: "本人確認を記録する" }).click();
await counter.getByText("本人確認書類を見て入力しました。").waitFor();
await counter.screenshot({ path: join(out, "counter-visit.png") });
// Its おくやみ interview: the list at the counter, 世帯主変更届 (counter only) offered.
await counter.getByLabel("ライフイベント").selectOption("okuyami");
await counter.getByRole("button", { name: "聞き取りを始める" }).click();
const died = inDays(-2);
await counter.locator("#f-death_date-year").fill(died[0]);
await counter.locator("#f-death_date-month").fill(died[1]);
await counter.locator("#f-death_date-day").fill(died[2]);
await counter.locator("#f-was_householder-0").check();
await counter.getByRole("button", { name: "次へ", exact: true }).click();
await counter.locator("#f-had_kokuho-0").check();
await counter.locator("#f-over_65-1").check();
await counter.getByRole("button", { name: "次へ", exact: true }).click();
await counter.locator("#bundle-title").waitFor();
await counter.screenshot({ path: join(out, "counter-interview.png") });
await browser.close();
child.kill("SIGTERM");
