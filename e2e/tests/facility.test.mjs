// A group books a community facility on a phone, with JavaScript on and off: an eligibility
// stop ends the form for a business, then an outside group meets the rules that read other
// answers (an address typed twice, a deadline, a facility's capacity and slots) and sees the
// fee line by line before it submits. Every page is checked with axe-core.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { expectAccessible, fillDate, launchBrowser, newPage, next, startServer } from "../support.mjs";

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

/** A day the facility takes: ten days ahead, moved past 12月29日〜1月3日 (Japan time). */
function bookableDay() {
  const day = new Date(Date.now() + 9 * 3600 * 1000 + 10 * 86400 * 1000);
  while ((day.getUTCMonth() === 11 && day.getUTCDate() >= 29) || (day.getUTCMonth() === 0 && day.getUTCDate() <= 3)) {
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return { year: String(day.getUTCFullYear()), month: String(day.getUTCMonth() + 1), day: String(day.getUTCDate()) };
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test(`a business is told where to go instead (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/procedures/shisetsu-shiyo`);
    await page.getByRole("button", { name: "申請を始める" }).click();
    await page.getByLabel("営利を目的とする事業者").check();
    await next(page);
    await assert.doesNotReject(page.getByRole("heading", { name: "この手続の対象ではありません" }).waitFor());
    await assert.doesNotReject(page.getByText("入力された内容は保存していません").waitFor());
    await expectAccessible(page, "eligibility stop");
    await page.context().close();
  });

  test(`an outside group books a hall and sees the fee line by line (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/procedures/shisetsu-shiyo`);
    await page.getByRole("button", { name: "申請を始める" }).click();
    await page.getByLabel("区外の団体").check();
    await next(page);

    await page.locator("#f-group_name").fill("蒲田合唱団");
    await page.locator("#f-name").fill("鈴木 花子");
    await page.locator("#f-phone").fill("03-1234-5678");
    await page.locator("#f-email").fill("hanako@example.jp");
    await page.locator("#f-email_confirm").fill("hanako@example.com");
    await next(page);
    await assert.doesNotReject(page.getByText("メールアドレスと一致しません").first().waitFor());
    await expectAccessible(page, "answers that must agree");
    assert.equal(await page.locator("#f-group_name").inputValue(), "蒲田合唱団", "the rest of the page is kept");
    await page.locator("#f-email_confirm").fill("hanako@example.jp");
    await next(page);

    await page.getByLabel("蒲田地域センター 集会室（定員40人）").check();
    await fillDate(page, "f-use_date", bookableDay());
    await next(page);

    // 蒲田 lends no room in the evening: the option is not offered.
    assert.equal(await page.getByLabel("夜間（18時〜21時30分）").count(), 0);
    await page.getByLabel("午前（9時〜12時）").check();
    await page.getByLabel("午後（13時〜17時）").check();
    await page.locator("#f-attendees").fill("41");
    await page.getByLabel("プロジェクター（1回1,000円）").check();
    await page.locator("#f-purpose").fill("定期練習");
    await page.getByLabel("いいえ").check();
    await next(page);
    await assert.doesNotReject(page.getByText("人数が施設の定員を超えています").first().waitFor());
    await expectAccessible(page, "a limit from another answer");
    await page.locator("#f-attendees").fill("40");
    await next(page);

    await assert.doesNotReject(page.getByRole("heading", { name: "手数料の合計" }).waitFor());
    await assert.doesNotReject(page.getByText("4,600円").waitFor());
    await expectAccessible(page, "check page with a composed fee");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "申請を送信する" }).click()]);
    await assert.doesNotReject(page.locator("#receipt-number").waitFor());
    await assert.doesNotReject(page.getByText("4,600円").waitFor());
    await expectAccessible(page, "done page with the fee");
    await page.context().close();
  });
}
