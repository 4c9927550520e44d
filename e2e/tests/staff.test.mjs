// The back office and the correction round trip in a real browser: a resident applies, staff
// log in, accept and ask for a correction, the resident fixes the flagged answer on the status
// page and sends it back, staff approve. Every back-office page is checked with axe-core.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addStaff, expectAccessible, launchBrowser, newPage, startServer } from "../support.mjs";

const PASSWORD = "correct horse battery staple";
const PDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  addStaff(server, { login: "koseki", name: "戸籍 一郎", department: "kosekijumin", password: PASSWORD });
  addStaff(server, { login: "admin", name: "管理 者", password: PASSWORD });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A resident's application through the API; returns its receipt number and access code. */
async function apply() {
  const upload = await fetch(`${server.url}/api/v1/attachments`, { method: "POST", headers: { "content-type": "application/pdf" }, body: PDF }).then((r) => r.json());
  const answers = {
    name: { family: "髙橋", given: "太郎", family_kana: "タカハシ", given_kana: "タロウ" },
    address: "東京都大田区蒲田五丁目13番14号",
    phone: "0357441111",
    relationship: "self",
    persons: [{ name: "髙橋 太郎", birth_date: "1980-04-01" }],
    certificate: "household_all",
    copies: 1,
    purpose: "license",
    identity_document: [{ attachment: upload.attachment, name: "menkyo.pdf" }],
  };
  const res = await fetch(`${server.url}/api/v1/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ procedure_id: "juminhyo-yuso", answers }),
  });
  assert.equal(res.status, 201);
  const body = await res.json();
  return { receipt: body.receipt_number, code: body.access_code };
}

async function logIn(page, login) {
  await page.goto(`${server.url}/staff`);
  await expectAccessible(page, "staff login");
  await page.getByLabel("ログインID").fill(login);
  await page.getByLabel("パスワード").fill(PASSWORD);
  await Promise.all([page.waitForURL(`${server.url}/staff`), page.getByRole("button", { name: "ログイン" }).click()]);
}

test("staff accept, ask for a correction, the resident fixes it, staff approve", async () => {
  const { receipt, code } = await apply();
  const staff = await newPage(browser, { javaScriptEnabled: true });
  await staff.setViewportSize({ width: 1280, height: 900 });
  await logIn(staff, "koseki");
  await expectAccessible(staff, "staff inbox");
  await staff.getByRole("link", { name: receipt }).click();
  await expectAccessible(staff, "staff case");
  assert.match(await staff.locator("main").innerText(), /外字の候補/, "髙 is flagged for staff");

  await staff.getByRole("button", { name: "受理する" }).click();
  await staff.getByText("受理しました。").waitFor();
  await staff.getByRole("checkbox", { name: "住所" }).check();
  await staff.getByLabel("申請者へのお願い（何をどう直すか）").fill("番地が住民票と違います。住民票のとおりに入力してください。");
  await staff.getByRole("button", { name: "補正を依頼する" }).click();
  await staff.getByText("補正を依頼しました。").waitFor();
  await expectAccessible(staff, "staff case after a correction request");
  assert.equal(await staff.locator("#case-status").innerText(), "補正のお願い");

  // The resident, without JavaScript, fixes only the flagged answer.
  const resident = await newPage(browser, { javaScriptEnabled: false });
  await resident.goto(`${server.url}/status`);
  await resident.getByLabel("受付番号").fill(receipt);
  await resident.getByLabel("アクセスコード").fill(code);
  await resident.getByRole("button", { name: "確認する" }).click();
  await resident.getByRole("heading", { name: "補正（修正）のお願い" }).waitFor();
  await expectAccessible(resident, "status page with a correction request");
  await resident.getByLabel("住所").fill("");
  await resident.getByRole("button", { name: "修正して再提出する" }).click();
  await resident.getByText("住所を入力してください").first().waitFor();
  await expectAccessible(resident, "correction with an error");
  await resident.getByLabel("住所").fill("東京都大田区蒲田五丁目13番15号");
  await resident.getByRole("button", { name: "修正して再提出する" }).click();
  await resident.getByText("修正した内容を再提出しました").waitFor();
  assert.equal(await resident.locator("#application-status").innerText(), "補正済み（確認待ち）");

  await staff.reload();
  assert.match(await staff.locator("main").innerText(), /13番15号/);
  await staff.getByRole("button", { name: "承認する" }).click();
  await staff.getByText("承認しました。").waitFor();
  assert.equal(await staff.locator("#case-status").innerText(), "承認");

  await staff.getByRole("link", { name: "データ出力" }).click();
  await expectAccessible(staff, "export");
  await staff.getByRole("link", { name: "システム連携" }).click();
  await staff.getByLabel("名前").fill("住民記録システム");
  await staff.getByRole("button", { name: "トークンを発行する" }).click();
  await staff.getByText("トークンを発行しました").waitFor();
  await expectAccessible(staff, "integration");
  assert.equal(await staff.getByRole("link", { name: "職員アカウント" }).count(), 0, "only administrators see the accounts page");
  await staff.goto(`${server.url}/staff/users`);
  assert.equal(await staff.locator("h1").innerText(), "ページが見つかりません", "staff cannot manage accounts");

  // A search the text rule refuses: the message beside the box, read out as an error.
  await staff.goto(`${server.url}/staff?q=${encodeURIComponent("山\u202e田")}`);
  await staff.getByText("文字の向きを変える記号（U+202E）").waitFor();
  await expectAccessible(staff, "inbox with a refused search");

  const admin = await newPage(browser, { javaScriptEnabled: true });
  await admin.setViewportSize({ width: 1280, height: 900 });
  await logIn(admin, "admin");
  await admin.getByRole("link", { name: "システム連携" }).click();
  await admin.getByLabel("フロントエンドの名前").fill("LINE 公式アカウント");
  await admin.getByRole("button", { name: "鍵を発行する" }).click();
  await admin.getByText("鍵を発行しました").waitFor();
  assert.match(await admin.locator("main").innerText(), /mdc_/, "the client key is shown once");
  await expectAccessible(admin, "integration with a client key issued");
  await admin.getByRole("link", { name: "職員アカウント" }).click();
  await expectAccessible(admin, "staff accounts");
  await admin.getByRole("link", { name: "受付一覧" }).click();
  assert.match(await admin.locator("main").innerText(), new RegExp(receipt));
});

test("staff decide a fee the department sets, and the resident reads it", async () => {
  const res = await fetch(`${server.url}/api/v1/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      procedure_id: "kobunsho-kaiji",
      answers: {
        subject: "令和7年度の区民施設の指定管理者との協定書",
        method: "copy_mail",
        name: { family: "伊藤", given: "健", family_kana: "イトウ", given_kana: "ケン" },
        postal_code: "1448621",
        address: "東京都大田区蒲田五丁目13番14号",
        phone: "0357441111",
      },
    }),
  });
  assert.equal(res.status, 201);
  const { receipt_number: receipt, access_code: code } = await res.json();
  const admin = await newPage(browser, { javaScriptEnabled: true });
  await admin.setViewportSize({ width: 1280, height: 900 });
  await logIn(admin, "admin");
  await admin.goto(`${server.url}/staff/cases/${receipt}`);
  await expectAccessible(admin, "staff case with a fee to decide");
  await admin.getByLabel("手数料の額").fill("四百");
  await admin.getByRole("button", { name: "手数料を決定する" }).click();
  await admin.getByText("円単位の数字で入力してください").first().waitFor();
  await expectAccessible(admin, "staff case with a refused fee");
  await admin.getByLabel("手数料の額").fill("460");
  await admin.getByLabel("申請者へのお知らせ（内訳や支払方法。任意）").fill("写し32枚と郵送料です。");
  await admin.getByRole("button", { name: "手数料を決定する" }).click();
  await admin.getByText("手数料を決定しました。").waitFor();
  assert.match(await admin.locator("main").innerText(), /460円（担当課が決定しました）/);

  const resident = await newPage(browser, { javaScriptEnabled: false });
  await resident.goto(`${server.url}/status`);
  await resident.getByLabel("受付番号").fill(receipt);
  await resident.getByLabel("アクセスコード").fill(code);
  await resident.getByRole("button", { name: "確認する" }).click();
  await resident.getByText("手数料が決まりました：写し32枚と郵送料です。").waitFor();
  assert.match(await resident.locator("main").innerText(), /460円（担当課が決定しました）/);
  await expectAccessible(resident, "status page with a decided fee");
});
