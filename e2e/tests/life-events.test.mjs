// A family member has died, and a household moves in: the resident chooses the life event,
// answers its interview one page at a time (「わからない」 where they do not know) and reads the
// personal list by department, with JavaScript on and off. Every page is checked with axe-core.
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

/** Yesterday in Japan time, as the date boxes take it. */
function yesterday() {
  const day = new Date(Date.now() + 9 * 3600 * 1000 - 86400 * 1000);
  return { year: String(day.getUTCFullYear()), month: String(day.getUTCMonth() + 1), day: String(day.getUTCDate()) };
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test(`おくやみ: an interview, then the list by department (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(server.url);
    await page.getByRole("link", { name: /おくやみ/ }).first().click();
    await expectAccessible(page, "life event page");
    await page.getByRole("button", { name: "質問に答える" }).click();
    await expectAccessible(page, "interview, first page");

    await page.locator("#f-was_householder-2").check();
    await next(page);
    await assert.doesNotReject(page.getByText("亡くなった日を入力してください").first().waitFor());
    await expectAccessible(page, "interview with a missing answer");
    await fillDate(page, "f-death_date", yesterday());
    await next(page);

    await page.locator("#f-had_kokuho-0").check();
    await page.locator("#f-over_65-1").check();
    await next(page);
    await assert.doesNotReject(page.getByRole("heading", { name: "おくやみ（ご家族が亡くなったとき）の手続一覧" }).waitFor());
    await expectAccessible(page, "personal list");
    const text = await page.locator("main").innerText();
    assert.match(text, /死亡届/);
    assert.match(text, /死亡の事実を知った日から7日以内/);
    assert.match(text, /該当するかもしれません/, "the 世帯主 answer was 「わからない」");
    assert.doesNotMatch(text, /介護保険 資格喪失届/);

    // The plan taken to the counter: a code to show, with its QR code.
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "窓口用のコードを発行する" }).click()]);
    assert.match(await page.locator("#counter-code").innerText(), /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    assert.equal(await page.getByRole("img", { name: "窓口用のコードのQRコード" }).count(), 1);
    await expectAccessible(page, "counter code");
    await page.context().close();
  });

  test(`a counter-only form is filled in at home and taken to the counter as a code (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/procedures/inkan-toroku`);
    await expectAccessible(page, "counter-only procedure with its form");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "窓口に行く前に入力しておく" }).click()]);
    await page.locator("#f-applicant_name-family").fill("区民");
    await page.locator("#f-applicant_name-given").fill("花子");
    await page.locator("#f-applicant_name-family_kana").fill("クミン");
    await page.locator("#f-applicant_name-given_kana").fill("ハナコ");
    await page.locator("#f-address").fill("東京都大田区蒲田五丁目13番14号");
    await page.locator("#f-phone").fill("03-5744-1111");
    await next(page);
    await fillDate(page, "f-birth_date", { year: "1985", month: "4", day: "1" });
    await next(page);
    await page.locator("#f-applicant-0").check();
    await page.locator("#f-identity_document-1").check();
    await next(page);
    await assert.doesNotReject(page.getByText("窓口でだけ受け付ける手続が含まれています").waitFor());
    await expectAccessible(page, "check page of a form for the counter");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "窓口用のコードを発行する" }).click()]);
    assert.match(await page.locator("#counter-code").innerText(), /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await page.context().close();
  });

  test(`引越し: a move into the ward (${mode})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await page.goto(`${server.url}/life-events/hikkoshi`);
    await page.getByRole("button", { name: "質問に答える" }).click();
    await page.locator("#f-move_kind-0").check();
    await fillDate(page, "f-move_date", yesterday());
    await next(page);
    await expectAccessible(page, "interview, household page");
    await page.locator("#f-has_kokuho-0").check();
    await page.locator("#f-has_children-0").check();
    await page.locator("#f-needs_seal-0").check();
    await page.locator("#f-bulky_waste-1").check();
    await next(page);
    await expectAccessible(page, "moving-in list");
    const text = await page.locator("main").innerText();
    for (const procedure of ["転入届", "国民健康保険 加入届", "児童手当", "印鑑登録"]) {
      assert.match(text, new RegExp(procedure));
    }
    await page.context().close();
  });
}
