// A resident applies for a copy of the residence record on a phone — once with JavaScript and
// once without — through a repeating group (two people), a conditional step (使用目的「その他」),
// a file upload and the check page; then checks the status. Every page is checked with axe-core.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { expectAccessible, launchBrowser, newPage, next, startServer } from "../support.mjs";

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

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test(`a resident applies for a residence record by post (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });

    await page.goto(server.url);
    await expectAccessible(page, "home");
    await page.locator("#q").fill("住民票");
    await page.getByRole("button", { name: "検索" }).click();
    await expectAccessible(page, "search results");
    await page.getByRole("link", { name: "住民票の写し等の交付請求（郵送）" }).click();
    await expectAccessible(page, "procedure page");
    await page.getByRole("button", { name: "申請を始める" }).click();

    // Continue without answering: the summary lists the problems, each field shows its own.
    await next(page);
    await assert.doesNotReject(page.getByRole("heading", { name: "入力内容を確認してください" }).waitFor());
    assert.match(await page.title(), /^エラー：/);
    await expectAccessible(page, "question page with errors");
    if (javaScriptEnabled) {
      assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), true, "focus moves to the error summary");
    }

    await page.getByLabel("姓", { exact: true }).fill("髙橋");
    await page.getByLabel("名", { exact: true }).fill("太郎");
    await page.getByLabel("セイ", { exact: true }).fill("たかはし");
    await page.getByLabel("メイ", { exact: true }).fill("たろう");
    // 「住所を検索」: the API fills it in place with JavaScript, the server does without.
    await page.locator("#f-postal_code").fill("144-0052");
    await page.getByRole("button", { name: "住所を検索" }).click();
    await page.waitForFunction(() => document.querySelector("#f-address")?.value === "東京都大田区蒲田");
    await expectAccessible(page, "address filled from the postal code");
    assert.equal(await page.locator("#f-name-family").inputValue(), "髙橋", "the rest of the page is kept");
    await page.locator("#f-address").fill("東京都大田区蒲田五丁目13番14号");
    await page.locator("#f-phone").fill("03-5744-1111");
    await page.locator("#f-email").fill("taro@example.jp");
    await next(page);

    await expectAccessible(page, "radio question");
    await page.getByLabel("同じ世帯の方").check();
    await next(page);

    // The repeating group: one person, then add another.
    await page.locator("#f-persons-0-name").fill("山田 太郎");
    await page.locator("#f-persons-0-birth_date-year").fill("1980");
    await page.locator("#f-persons-0-birth_date-month").fill("4");
    await page.locator("#f-persons-0-birth_date-day").fill("1");
    await page.getByRole("button", { name: "住民票が必要な方を追加" }).click();
    await expectAccessible(page, "repeating group");
    assert.equal(await page.locator("#f-persons-0-name").inputValue(), "山田 太郎", "adding a person keeps what was typed");
    await page.locator("#f-persons-1-name").fill("山田 花子");
    await page.locator("#f-persons-1-birth_date-year").fill("２０１９");
    await page.locator("#f-persons-1-birth_date-month").fill("2");
    await page.locator("#f-persons-1-birth_date-day").fill("28");
    await next(page);

    await page.getByLabel("住民票の写し（世帯の一部）").check();
    await page.getByLabel("世帯主・続柄").check();
    await page.locator("#f-copies").fill("2");
    await next(page);

    await expectAccessible(page, "file question");
    await page.getByLabel("その他").check();
    await page.locator("#f-identity_document").setInputFiles(pdfPath);
    await next(page);

    // 「その他」 brings a step that did not exist before.
    await assert.doesNotReject(page.getByRole("heading", { name: "使用目的の詳細" }).waitFor());
    await page.locator("#f-purpose_other").fill("相続の手続");
    await next(page);

    await assert.doesNotReject(page.getByRole("heading", { name: "入力内容の確認" }).waitFor());
    await expectAccessible(page, "check your answers");
    const review = await page.locator("main").innerText();
    for (const expected of ["山田 花子", "2019年2月28日", "menkyo.pdf", "相続の手続", "600円"]) {
      assert.ok(review.includes(expected), `check page shows ${expected}`);
    }
    await page.getByRole("button", { name: "申請を送信する" }).click();

    await assert.doesNotReject(page.getByRole("heading", { name: "申請を受け付けました" }).waitFor());
    await expectAccessible(page, "confirmation");
    const receipt = (await page.locator("#receipt-number").innerText()).trim();
    const code = (await page.locator("#access-code").innerText()).trim();
    assert.match(receipt, /^\d{4}-\d{7}$/);
    assert.match(code, /^[2-9A-Z]{5}-[2-9A-Z]{5}$/);

    await page.getByRole("link", { name: "申請状況を確認する" }).click();
    await expectAccessible(page, "status look-up");
    await page.locator("#receipt").fill(receipt);
    await page.locator("#access_code").fill(code.toLowerCase());
    await page.getByRole("button", { name: "確認する" }).click();
    await assert.doesNotReject(page.getByText("受付済み（確認待ち）").waitFor());
    await expectAccessible(page, "status");

    await page.context().close();
  });
}
