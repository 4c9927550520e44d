// 児童手当 on a phone, with JavaScript on and off: a child living apart needs a 別居監護申立書
// of its own, a file question inside the child's item. The file chosen for the item stays with
// it while another answer on the page is fixed. Every page is checked with axe-core.
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
  pdfPath = join(server.dataDir, "moshitate.pdf");
  await writeFile(pdfPath, "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n");
});

after(async () => {
  await browser?.close();
  server?.stop();
});

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test(`a child living apart has a file of its own, kept while the page is fixed (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/procedures/jido-teate-nintei`);
    await page.getByRole("button", { name: "申請を始める" }).click();
    await page.locator("#f-civil_servant-1").check();
    await next(page);
    const children = page.url().replace(/steps\/[^/]+$/, "steps/children");
    await page.goto(children);
    await expectAccessible(page, "children, with a file question in each item");

    // The name is left out: the page comes back, with the file still attached to the child.
    await fillDate(page, "f-children-0-birth_date", { year: "2012", month: "5", day: "1" });
    await page.locator("#f-children-0-relationship-0").check();
    await page.locator("#f-children-0-lives_together-1").check();
    await page.locator("#f-children-0-address").fill("東京都八王子市元本郷町三丁目24番1号");
    await page.locator("#f-children-0-separate_care_statement").setInputFiles(pdfPath);
    await next(page);
    await assert.doesNotReject(page.getByText(/氏名を入力してください/).first().waitFor());
    await assert.doesNotReject(page.getByText("添付済み：moshitate.pdf").waitFor());
    await expectAccessible(page, "a child's kept file on a page to fix");

    await page.locator("#f-children-0-name").fill("高橋 蒼");
    await next(page);
    assert.match(page.url(), /\/steps\/account$/, "the children page was saved");
    await page.goto(children);
    await assert.doesNotReject(page.getByText("添付済み：moshitate.pdf").waitFor());
    await page.context().close();
  });
}
