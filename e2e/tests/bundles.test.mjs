// A household moves out of the ward and leaves bulky waste: from the personal list the resident
// starts 転出届 and 粗大ごみ together, answers the shared facts once, then only what each still
// asks, checks everything on one page and submits once: two receipt numbers, one access code,
// which opens either application's status. JavaScript on and off; axe-core on every page.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { expectAccessible, fillDate, launchBrowser, newPage, next, startServer } from "../support.mjs";

let server;
let browser;
let pdfPath;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  pdfPath = join(server.dataDir, "menkyo.pdf");
  await writeFile(pdfPath, "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n");
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A day in Japan time `days` from today, as the date boxes take it. */
function inDays(days) {
  const day = new Date(Date.now() + 9 * 3600 * 1000 + days * 86400 * 1000);
  return { year: String(day.getUTCFullYear()), month: String(day.getUTCMonth() + 1), day: String(day.getUTCDate()) };
}

async function fillName(page, id) {
  await page.locator(`#${id}-family`).fill("区民");
  await page.locator(`#${id}-given`).fill("花子");
  await page.locator(`#${id}-family_kana`).fill("くみん");
  await page.locator(`#${id}-given_kana`).fill("はなこ");
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test(`引越し: 転出届 and 粗大ごみ submitted together (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/life-events/hikkoshi`);
    await page.getByRole("button", { name: "質問に答える" }).click();
    await expectAccessible(page, "interview: the move");
    await page.locator("#f-move_kind-2").check();
    await fillDate(page, "f-move_date", inDays(3));
    await next(page);
    await expectAccessible(page, "interview: the household");
    await page.locator("#f-has_kokuho-1").check();
    await page.locator("#f-has_children-1").check();
    await page.locator("#f-needs_seal-1").check();
    await page.locator("#f-bulky_waste-0").check();
    await next(page);
    await expectAccessible(page, "list with the bundle's choice");
    assert.ok(await page.locator("#procedure-tenshutsu").isChecked());
    assert.ok(await page.locator("#procedure-sodai-gomi").isChecked());
    await page.getByRole("button", { name: "選んだ手続の入力を始める" }).click();

    // The shared facts, once.
    await expectAccessible(page, "facts: the notifier");
    await fillName(page, "f-notifier_name");
    await page.locator("#f-phone").fill("03-5744-1111");
    await next(page);
    await expectAccessible(page, "facts: the people moving");
    await fillName(page, "f-movers-0-name");
    await fillDate(page, "f-movers-0-birth_date", { year: "1990", month: "4", day: "1" });
    await page.locator("#f-movers-0-relationship-0").check();
    await next(page);

    // 転出届: only what the facts did not give.
    await expectAccessible(page, "転出届: the move");
    const move = await page.locator("main").innerText();
    assert.match(move, /新しい住所/);
    assert.doesNotMatch(move, /転出予定日/, "the date came from the interview");
    await page.locator("#f-new_address").fill("埼玉県川口市本町1-1-1");
    await page.locator("#f-new_householder").fill("区民 花子");
    await page.locator("#f-whole_household-0").check();
    await next(page);
    await expectAccessible(page, "転出届: documents");
    await page.locator("#f-identity_document").setInputFiles(pdfPath);
    await next(page);

    // 粗大ごみ: its own questions; the phone is known.
    await expectAccessible(page, "粗大ごみ: the applicant");
    assert.equal(await page.locator("#f-phone").count(), 0);
    await page.locator("#f-name").fill("区民 花子");
    await page.locator("#f-address").fill("大田区蒲田5-13-14");
    await next(page);
    await expectAccessible(page, "粗大ごみ: the items");
    await page.locator("#f-items-0-item").selectOption("desk");
    await page.locator("#f-items-0-count").fill("1");
    await next(page);
    await expectAccessible(page, "粗大ごみ: the collection");
    await fillDate(page, "f-preferred_date", inDays(10));
    await page.locator("#f-place").fill("玄関前");
    await next(page);

    await assert.doesNotReject(page.getByRole("heading", { name: "まとめて申請する内容の確認" }).waitFor());
    await expectAccessible(page, "bundle check page");
    const review = await page.locator("main").innerText();
    assert.match(review, /共通の内容/);
    assert.match(review, /1,200円/);
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "2件の手続をまとめて申請する" }).click()]);

    await assert.doesNotReject(page.getByRole("heading", { name: "まとめて申請しました" }).waitFor());
    await expectAccessible(page, "bundle receipts");
    const code = (await page.locator("#access-code").innerText()).trim();
    const receipts = await page.locator("td.code").allInnerTexts();
    assert.equal(receipts.length, 2);

    // The one code opens either receipt, whose page lists the other.
    await page.goto(`${server.url}/status`);
    await page.locator("#receipt").fill(receipts[1].trim());
    await page.locator("#access_code").fill(code);
    await expectAccessible(page, "status look-up");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: /確認する/ }).click()]);
    await expectAccessible(page, "status of a bundled application");
    const status = await page.locator("main").innerText();
    assert.match(status, /同時に申請した手続/);
    assert.ok(status.includes(receipts[0].trim()));
    await page.context().close();
  });
}
