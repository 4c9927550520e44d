# madoguchi: resident-facing strings, Japanese (the original).
# Keys are grouped by page. Arguments are written { $name }.

## Layout
site-name = { $ward } オンライン窓口
site-name-short = オンライン窓口
skip-to-content = 本文へ移動
nav-find = 手続をさがす
nav-status = 申請状況の確認
lang-switch = English
lang-switch-label = Switch to English
footer-contact = 代表電話 { $phone }
footer-about = このサイトは madoguchi（オープンソース）で運営しています。
nav-label = メインメニュー

## Home
home-title = { $ward }のオンライン窓口
home-lead = スマートフォンやパソコンから、24時間いつでも区役所の手続ができます。
search-label = 手続をさがす
search-hint = 例：住民票、児童手当、粗大ごみ
search-button = 検索
home-categories = 分類からさがす
home-life-events = くらしの出来事からさがす
home-status = 申請した手続の状況を確認する
home-status-lead = 受付番号とアクセスコードで、申請の状況を確認したり、取り下げたりできます。

## Procedure lists
results-title = 「{ $query }」の検索結果
results-count = { $count }件の手続があります
results-none = 該当する手続はありません。言葉を変えてさがすか、分類からさがしてください。
results-empty-query = さがしたい手続の名前や言葉を入力してください。
badge-online = オンラインで申請できます
badge-counter = 窓口での手続です
all-procedures = すべての手続

## Procedure page
procedure-eligibility = 対象となる方
procedure-prepare = 用意するもの
procedure-prepare-none = 特にありません。
procedure-fee = 手数料
procedure-time = かかる日数
procedure-department = 担当課
procedure-phone = 電話
procedure-hours = 受付時間
procedure-place = 場所
procedure-start = 申請を始める
procedure-start-note = 途中でやめても、専用のURLから続きを再開できます。アカウントの登録は不要です。
procedure-counter-only = この手続はオンラインでは申請できません
fee-free = 無料
fee-fixed = { $amount }円
fee-per-unit = 1通あたり{ $amount }円
fee-item-sum = 品目によって異なります（申請の最後に合計を表示します）
fee-parts = 申請の内容によって異なります（申請の最後に内訳と合計を表示します）
fee-decided-by-staff = 審査のうえ、担当課からお知らせします
fee-decided = { $amount }円（担当課が決定しました）
fee-unknown = 申請の内容から計算します
fee-lines-title = 内訳
status-withdraw-closed = 取下げの受付は{ $date }で終了しました。取り下げる場合は{ $department }にご連絡ください。
date-window = { $from }から{ $to }までの日を選べます。
date-window-from = { $from }以降の日を選べます。
date-window-to = { $to }までの日を選べます。
stats-stops-title = 対象外で終了した件数
stats-stops-lead = 申請の途中で対象外と分かり、案内を表示して終了した件数です（入力内容は保存していません）。
stats-stop-reason = 表示した案内
stats-stop-count = 件数
stopped-title = この手続の対象ではありません
stopped-nothing-kept = 入力された内容は保存していません。
stopped-restart = 回答を見直して、はじめからやり直す

## Question pages
back = 戻る
continue = 次へ
required = 必須
optional = 任意
error-summary-title = 入力内容を確認してください
error-prefix = エラー：
date-year = 年
date-month = 月
date-day = 日
date-era = 年号
era-seireki = 西暦
era-reiwa = 令和
era-heisei = 平成
era-showa = 昭和
era-taisho = 大正
era-meiji = 明治
date-hint = 西暦か和暦で入力してください。例：2026年4月1日は「西暦 2026 4 1」または「令和 8 4 1」（元年は1）
yes = はい
no = いいえ
select-placeholder = 選択してください
postal-lookup = 住所を検索
postal-filled = 住所を入力しました。続けて番地や建物名を入力してください。
name-hint = 姓と名を分けて入力してください。外国籍の方は在留カードのとおりローマ字でも入力できます。フリガナはひらがなでもかまいません。
part-family = 姓
part-given = 名
part-family_kana = セイ
part-given_kana = メイ
bank-hint = 金融機関コード（4桁）と支店コード（3桁）は通帳やキャッシュカード、金融機関のウェブサイトで確かめられます。口座番号が7桁より短いときは、そのまま入力してください。
part-bank_code = 金融機関コード
part-branch_code = 支店コード
part-account_type = 口座種別
part-account_number = 口座番号
part-holder_kana = 口座名義（カナ）
account-type-ordinary = 普通
account-type-current = 当座
account-type-savings = 貯蓄
bank-account-text = 金融機関コード { $bank }・支店コード { $branch }・{ $type } { $number }・{ $holder }
my-number-hint = 12桁の数字で入力してください（ハイフンや空白があってもかまいません）。番号は暗号化して保存し、画面には下4桁だけを表示します。
my-number-on-file = 入力済みの個人番号があります（{ $masked }）。変更するときだけ入力してください。
file-choose = ファイルを選択
file-attached = 添付済み：{ $name }（{ $size }）
file-kept = 添付済み：{ $name }
file-remove = 添付したファイルを削除する
file-hint = { $types }、{ $mb }MBまで
group-add = { $label }を追加
group-remove = { $item }を削除
group-count = 入力できるのは{ $max }件までです
resume-title = 続きはあとでもできます
resume-body = このページのURLを保存（ブックマーク）すると、{ $date }まで続きから再開できます。URLは他の人に教えないでください。
step-progress = 手順 { $current } / { $total }

## Check your answers
review-title = 入力内容の確認
review-lead = 内容を確認して、よければ送信してください。
review-change = 変更
review-change-hidden = （{ $label }）
review-none = 未入力
review-fee-total = 手数料の合計
review-submit = 申請を送信する
review-declaration = 送信すると、申請が受け付けられます。受け付けた後に内容を変更したいときは、担当課へご連絡ください。
review-items = { $count }件

## Confirmation
done-title = 申請を受け付けました
done-receipt = 受付番号
done-access-code = アクセスコード
done-keep = 受付番号とアクセスコードは、申請状況の確認や取下げに必要です。メモするか、このページを印刷・保存してください。
done-next = このあとの流れ
done-next-body = { $department }で内容を確認します。{ $time }
done-contact = お問い合わせ：{ $department }（電話 { $phone }）
done-mail = 入力したメールアドレスに、受付のお知らせを送ります。
done-status-link = 申請状況を確認する
done-home = トップページへ戻る

## Status
status-lookup-title = 申請状況の確認
status-lookup-lead = 申請したときに表示された受付番号とアクセスコードを入力してください。
status-receipt = 受付番号
status-receipt-hint = 例：2026-0000123
status-access-code = アクセスコード
status-access-code-hint = 例：ABCDE-FGHJK（大文字・小文字はどちらでも構いません）
status-lookup-button = 確認する
status-not-found = 受付番号またはアクセスコードが正しくありません。申請したときの画面やメモを確認してください。
status-title = 申請状況
status-current = 現在の状況
status-history = これまでの経過
status-when = 日時
status-what = 内容
status-answers = 申請した内容
status-withdraw-title = 申請を取り下げる
status-withdraw-lead = 担当課が受理する前なら、この申請を取り下げられます。取り下げた申請は元に戻せません。
status-withdraw-confirm = この申請を取り下げます
status-withdraw-button = 取り下げる
status-withdraw-confirm-required = 取り下げる場合は「この申請を取り下げます」にチェックを入れてください
status-withdrawn-notice = 申請を取り下げました。
status-withdraw-not-allowed = この申請はすでに担当課で受理されているため、取り下げられません。担当課へご連絡ください。

## Application statuses
status-correction-title = 補正（修正）のお願い
status-correction-lead = 担当課から、次の項目の修正を求められています。直して「修正して再提出する」を押してください。ほかの回答は申請のときのままです。
status-resubmit-button = 修正して再提出する
status-resubmitted-notice = 修正した内容を再提出しました。担当課が確認します。
event-accepted = 受理されました
event-correction_requested = 補正（修正）をお願いしました
event-resubmitted = 修正して再提出されました
event-approved = 承認されました
event-rejected = 却下されました
event-completed = 手続が完了しました
app-status-submitted = 受付済み（確認待ち）
app-status-accepted = 受理
app-status-correction_requested = 補正のお願い
app-status-resubmitted = 補正済み（確認待ち）
app-status-approved = 承認
app-status-rejected = 却下
app-status-completed = 完了
app-status-withdrawn = 取下げ

## History events
event-submitted = 申請を受け付けました
event-withdrawn = 申請を取り下げました

## Error pages
page-not-found-title = ページが見つかりません
page-not-found-body = URLが間違っているか、ページが移動した可能性があります。
draft-expired-title = この申請の下書きは有効期限が切れています
draft-expired-body = お手数ですが、もう一度はじめから申請してください。
not-online-title = この手続はオンラインでは申請できません
server-error-title = ただいま処理できません
server-error-body = しばらく待ってから、もう一度お試しください。入力した内容は保存されています。
csrf-title = ページの有効期限が切れました
csrf-body = 前のページに戻り、もう一度操作してください。
rate-limited-title = 短い時間に多くの操作がありました
rate-limited-body = 1分ほど待ってから、もう一度お試しください。
too-large-title = 送信された内容が大きすぎます
too-large-body = 一度に送れる大きさの上限を超えています。ファイルを小さくするか、分けて送ってください。
bad-request-title = 送信された内容を読み取れませんでした
bad-request-body = 通信が途中で切れた可能性があります。前のページに戻り、もう一度送信してください。
unsupported-type-title = この形式の送信は受け付けていません
unsupported-type-body = ページのフォームから送信してください。
not-allowed-title = 今の状態ではこの操作はできません
not-allowed-body = 申請の状態が変わっています。申請状況のページで確認してください。
conflict-title = この申請は別の操作で更新されました
conflict-body = 最新の内容を確認してから、もう一度操作してください。
status-resubmit-not-allowed = この申請は今は修正できません。申請の状態を確認してください。
already-submitted-title = この申請は送信済みです
home-link = トップページへ

## Answer problems
error-required = { $label }を入力してください
error-required-choose = { $label }を選択してください
error-required-file = { $label }を添付してください
error-required-items = { $label }を1件以上入力してください
error-too-long = { $label }は{ $max }文字以内で入力してください
error-too-small = { $label }は{ $min }以上の数を入力してください
error-too-large = { $label }は{ $max }以下の数を入力してください
error-date-too-early = { $label }は{ $date }以降の日付を入力してください
error-date-too-late = { $label }は{ $date }以前の日付を入力してください
error-invalid-number = { $label }は数字で入力してください（例：3）
error-invalid-date = { $label }は実在する日付を入力してください（例：2026年4月1日 → 2026、4、1）
error-invalid-wareki = { $label }：{ $reason }
error-invalid-option = { $label }は表示されている選択肢から選んでください
error-invalid-email = { $label }はメールアドレスの形式で入力してください（例：taro@example.jp）
error-invalid-phone = { $label }は0から始まる10桁または11桁の電話番号を入力してください（例：03-5744-1111）
error-phone-length = { $label }：{ $line }の番号は{ $expected }桁です（{ $actual }桁入力されています）
error-invalid-my-number = { $label }が正しくありません。12桁の個人番号を確かめてください
error-invalid-bank-code = { $label }は4桁の数字で入力してください（例：0001）
error-invalid-branch-code = { $label }は3桁の数字で入力してください（例：001）
error-invalid-account-number = { $label }は7桁以内の数字で入力してください
error-invalid-corporate-number = { $label }が正しくありません。13桁の法人番号を確かめてください
error-invalid-postal-code = { $label }は7桁の数字で入力してください（例：144-8621）
error-unknown-postal-code = { $label }：この郵便番号は見つかりません。番号を確かめてください
error-invalid-kana = { $label }はカタカナで入力してください（ひらがなも使えます）
error-invalid-kana-chars = { $label }はカタカナかひらがなで入力してください（使えない文字：{ $found }）
error-invalid-type = { $label }の値の種類が正しくありません
error-not-applicable = { $label }はこの申請では回答しない項目です
error-unknown-field = 「{ $label }」という項目はありません
error-too-few-items = { $label }を{ $min }件以上入力してください
error-too-many-items = { $label }は{ $max }件まで入力できます
error-duplicate = { $label }で同じものが選ばれています。別のものを選んでください
error-file-type = { $label }は{ $types }のファイルを添付してください
error-file-too-large = { $label }は{ $mb }MB以下のファイルを添付してください
error-control-character = { $label }の{ $position }文字目に、入力できない制御文字（{ $code }）があります。その文字を消してください
error-bidi-control = { $label }の{ $position }文字目に、文字の向きを変える記号（{ $code }）があります。その記号を消してください
error-invisible-only = { $label }に見える文字がありません。入力し直してください
error-answers-object = 回答（answers）は、質問のidをキーにしたJSONオブジェクトで送ってください
error-file-damaged = { $label }：{ $type }のファイルとして読み取れませんでした。ファイルが壊れていないか確かめて、もう一度選んでください
error-body-too-large = 送信された内容が大きすぎます（ファイルを含めて{ $mb }MBまで）。ファイルを小さくして、もう一度送信してください
error-body-unreadable = 送信された内容を最後まで受け取れませんでした。もう一度送信してください
error-too-many-files = { $label }は{ $max }ファイルまで添付できます
error-unknown-attachment = { $label }のファイルが見つかりません。もう一度アップロードしてください
error-day-weekday = { $label }は{ $days }の日を選んでください
error-day-of-month = { $label }は毎月{ $days }日のいずれかを選んでください
error-day-holiday = { $label }：祝日（{ $holiday }）は選べません。別の日を選んでください
error-day-year-end = { $label }：12月29日から1月3日までは選べません。別の日を選んでください
error-past-deadline = { $label }：この日の申込の締切（{ $date }）を過ぎています。別の日を選ぶか、担当課にお問い合わせください
error-not-same = { $label }が{ $other }と一致しません。同じ内容を入力してください
error-option-unavailable = { $label }：この選択肢は、ほかの回答との組み合わせでは選べません
error-invalid-digits = { $label }は{ $count }桁の数字で入力してください
error-pattern = { $label }の形式が正しくありません
weekday-mon = 月曜
weekday-tue = 火曜
weekday-wed = 水曜
weekday-thu = 木曜
weekday-fri = 金曜
weekday-sat = 土曜
weekday-sun = 日曜
error-outside-municipality = { $label }：{ $municipality }の郵便番号ではありません。この手続は{ $municipality }にお住まいの方が対象です。お住まいの市区町村にお問い合わせください
error-outside-municipality-explain = { $label }：{ $municipality }の郵便番号ではありません。{ $municipality }の外にお住まいの場合は、その理由を入力してください
rank-label = 第{ $n }希望
list-separator = 、

## Mail
mail-status-subject = 【{ $ward }】{ $procedure }の申請：{ $status }（受付番号 { $receipt }）
mail-status-body =
    { $ward }です。
    受付番号 { $receipt }（{ $procedure }）の申請の状況が「{ $status }」になりました。
    
    詳しくは、受付番号とアクセスコードで申請状況のページをご覧ください。
    { $status_url }
    
    お問い合わせ：{ $department }
    
    このメールは送信専用です。
mail-status-body-message =
    { $ward }です。
    受付番号 { $receipt }（{ $procedure }）の申請の状況が「{ $status }」になりました。
    
    担当課からのお知らせ：
    { $message }
    
    補正（修正）が必要な場合は、受付番号とアクセスコードで申請状況のページを開き、指示された項目を直して再提出してください。
    { $status_url }
    
    お問い合わせ：{ $department }
    
    このメールは送信専用です。
mail-fee-subject = 【{ $ward }】{ $procedure }の手数料が決まりました（受付番号 { $receipt }）
mail-fee-body =
    { $ward }です。
    受付番号 { $receipt }（{ $procedure }）の手数料は { $fee } です。
    
    詳しくは、受付番号とアクセスコードで申請状況のページをご覧ください。
    { $status_url }
    
    お問い合わせ：{ $department }
    
    このメールは送信専用です。
mail-fee-body-message =
    { $ward }です。
    受付番号 { $receipt }（{ $procedure }）の手数料は { $fee } です。
    
    担当課からのお知らせ：
    { $message }
    
    詳しくは、受付番号とアクセスコードで申請状況のページをご覧ください。
    { $status_url }
    
    お問い合わせ：{ $department }
    
    このメールは送信専用です。
mail-submitted-fee = {"\u000A"}手数料：{ $fee }
mail-submitted-subject = 【{ $ward }】{ $procedure }の申請を受け付けました（受付番号 { $receipt }）
mail-submitted-body =
    { $ward }です。
    次の申請を受け付けました。
    
    手続：{ $procedure }
    受付番号：{ $receipt }
    受付日：{ $date }{ $fee }
    
    申請の状況は、受付番号と、申請のときに画面に表示されたアクセスコードで確認できます。
    { $status_url }
    
    お問い合わせ：{ $department }（電話 { $phone }）
    
    このメールは送信専用です。心当たりのない場合は、お手数ですが上記までご連絡ください。

## Back office
staff-site-name = madoguchi 業務画面
staff-nav-label = 業務メニュー
staff-nav-inbox = 受付一覧
staff-nav-export = データ出力
staff-nav-integration = システム連携
staff-nav-users = 職員アカウント
staff-logout = ログアウト
staff-login-title = 職員ログイン
staff-login-lead = 担当課の職員アカウントでログインしてください。
staff-login-id = ログインID
staff-login-password = パスワード
staff-login-button = ログイン
staff-login-failed = ログインIDかパスワードが違います
staff-login-locked = 失敗が続いたため、このアカウントはしばらくログインできません。時間をおいて試すか、管理者に連絡してください
staff-all-departments = 全課（管理者）
staff-inbox-title = 受付一覧
staff-inbox-pages = 申請一覧のページ
staff-inbox-first = 最初のページに戻る
staff-inbox-next = 次の50件を表示する
staff-inbox-empty = 条件に合う申請はありません。
staff-counts-label = 状態ごとの件数
staff-filter-label = 申請の絞り込み
staff-filter-procedure = 手続
staff-filter-status = 状態
staff-filter-from = 申請日（から）
staff-filter-to = 申請日（まで）
staff-filter-search = 受付番号または申請者名
staff-filter-all = すべて
staff-filter-button = 絞り込む
staff-col-receipt = 受付番号
staff-col-procedure = 手続
staff-col-applicant = 申請者
staff-col-submitted = 申請日時
staff-col-days = 経過日数
staff-col-status = 状態
staff-back-to-inbox = 受付一覧に戻る
staff-yes = はい
staff-no = いいえ
staff-error-login = ログインIDは空白を含まない文字で入力してください
staff-error-login-taken = このログインIDはすでに使われています
staff-error-password-short = パスワードは12文字以上にしてください
staff-error-department = 職員には担当課を選んでください
staff-error-unknown-department = その担当課はありません
channel-web = ウェブ
channel-api = API
channel-counter = 窓口
case-title = 申請 { $receipt }
case-channel = 受付経路
case-assignee = 担当者
case-unassigned = 未割当
case-version = 定義のバージョン
case-open-correction = 補正依頼中
case-correction-fields = 修正を求めた項目
case-gaiji-title = 外字の候補
case-gaiji-lead = 次の文字は、JIS X 0208 や CP932 しか扱えない業務システムに入らないおそれがあります。申請者の入力のまま保存しています。
case-gaiji-question = 項目
case-gaiji-char = 文字
case-gaiji-code = コードポイント
case-answers = 申請内容
case-files = 添付ファイル
case-my-number-reveal = 個人番号を表示
case-my-number-audited = 表示した記録が監査ログに残ります。画面を閉じると再び伏せられます。
case-actions = 処理
case-action-accept = 受理する
case-action-approve = 承認する
case-action-complete = 完了にする
case-action-request_correction = 補正を依頼する
case-action-reject = 却下する
case-action-assign = 担当者を変更する
case-action-note = メモを残す
case-action-decide_fee = 手数料を決定する
case-done-accept = 受理しました。
case-done-approve = 承認しました。
case-done-complete = 完了にしました。
case-done-request_correction = 補正を依頼しました。申請者に通知します。
case-done-reject = 却下しました。
case-done-assign = 担当者を変更しました。
case-done-note = メモを残しました。
case-done-decide_fee = 手数料を決定しました。申請者に通知します。
case-fee-amount = 手数料の額
case-fee-amount-hint = 円単位の数字で入力してください（例：460）。決定し直すと、新しい額を申請者に通知します。
case-fee-yen = 円
case-fee-message = 申請者へのお知らせ（内訳や支払方法。任意）
case-correction-choose = 修正を求める項目
case-correction-message = 申請者へのお願い（何をどう直すか）
case-reject-reason = 却下の理由（申請者に表示されます）
case-text-label = 入力した文章
case-note = 内部メモ
case-note-hint = 職員だけが見られます。申請者には表示されません。
case-history = 履歴
case-who = 担当
case-note-col = 内容
case-internal = 内部
case-actor-resident = 申請者
case-access = 閲覧・操作の記録
case-ip = 接続元
case-error-message = 申請者へのお願いを入力してください
case-error-reason = 却下の理由を入力してください
case-error-note = メモを入力してください
case-error-fee-amount = 手数料の額を、円単位の数字で入力してください（例：460）
case-error-fee-not-decided = この手続の手数料は申請内容から計算されるため、決定できません
case-error-fields = 修正を求める項目を選んでください
case-error-assignee = 担当者はこの課の職員から選んでください
case-error-not-allowed = 今の状態ではこの処理はできません。画面を読み込み直してください
case-error-conflict = この申請は別の操作で更新されました。最新の内容を確認してから、もう一度操作してください
case-error-my-number = 個人番号を表示する権限がありません
event-assigned = 担当者を割り当てました
event-note = メモ
event-fee_decided = 手数料が決まりました
audit-case-read = 閲覧
audit-case-act = 処理
audit-attachment-read = 添付ファイルの取得
audit-my_number-read = 個人番号の表示
audit-my_number-refused = 個人番号の表示（権限なし）
audit-api-read = 連携システムの取得
export-title = データ出力
export-lead = 手続ごとの申請を、業務システムに取り込める形で出力します。列の名前と順序は手続の定義に従います。
export-format = 形式
export-encoding = 文字コード
export-utf8 = UTF-8（BOM付き、Excelでそのまま開けます）
export-cp932 = Shift_JIS（CP932）
export-button = 出力する
export-column = 列
export-position = 位置（文字目）
export-unmappable-title = Shift_JIS で書けない文字があります
export-unmappable-lead = 次の文字は Shift_JIS（CP932）で表せないため、出力していません。文字を置き換えずに確認できるよう、すべて一覧にしました。外字の登録や申請者への確認を行うか、UTF-8で出力してください。
export-unmappable-link = 書けない文字の一覧へ
integration-title = システム連携
delivery-title = Webhook の送信記録
delivery-empty = 送信記録はまだありません。
delivery-attempts = 試行回数
delivery-error = 直近のエラー
delivery-resend = 再送する
delivery-done = 送信済み
delivery-failing = 失敗（再試行中）
delivery-pending = 送信待ち
token-title = APIトークン
token-lead = 業務システムが申請を取得（プル）するためのトークンです。トークンは発行したときに一度だけ表示され、保存されるのはそのハッシュだけです。
token-name = 名前
token-department = 担当課
token-created = 発行日時
token-last-used = 最終利用
token-issue = トークンを発行する
token-issued = トークンを発行しました。この画面を離れると二度と表示されません。業務システムの設定に保存してください。
token-revoke = 失効させる
token-revoked = 失効済み
token-error-name = トークンの名前を入力してください
client-title = フロントエンド（APIクライアント）
client-lead = LINEのボットやキオスク端末など、住民の代わりにAPIで申請を送るフロントエンドの鍵です。鍵を付けた要求は、送信元アドレスの上限ではなく、この鍵ごとの上限で数えます。鍵は発行したときに一度だけ表示されます。
client-name = フロントエンドの名前
client-budget = 1分あたりの上限（申請・添付・照会それぞれ）
client-budget-hint = 空欄なら既定値。1以上の整数で入力してください。
client-issue = 鍵を発行する
client-issued = 鍵を発行しました。この画面を離れると二度と表示されません。フロントエンドの設定に保存してください。
client-error-name = 鍵の名前を入力してください
client-error-budget = 1分あたりの上限は1以上の整数で入力してください
users-title = 職員アカウント
users-name = 氏名
users-admin = 管理者
users-my-number = 個人番号を表示できる
users-role = 役割
users-role-staff = 職員（担当課の申請だけ）
users-role-admin = 管理者（全課）
users-add = アカウントを追加する
users-added = アカウント { $login } を追加しました
users-password-hint = 12文字以上
api-unauthorized = APIトークンが必要です
api-forbidden = この操作はできません
event-lead = いくつかの質問に答えると、必要な手続と期限、窓口の場所や持ち物をまとめた一覧をお作りします。答えた内容は、あなただけが開けるページに保存します。
event-covers = 一覧に含まれる手続
event-start = 質問に答える
event-start-note = 個人を特定する情報はまだお聞きしません。
plan-title = { $event }の手続一覧
plan-count = あなたに必要な手続は{ $count }件です。
plan-lead = 担当課ごとにまとめています。このページは印刷できます。
plan-change = 質問の答えを変更する
plan-maybe = 該当するかもしれません
plan-maybe-note = 「わからない」と答えた質問によっては必要です。窓口でご確認ください。
plan-deadline = 期限：{ $date }まで
plan-bring = 持ち物
plan-code-title = 窓口で続きをする
plan-code-lead = 窓口で手続する場合は、コードを発行して窓口で見せてください。ここまでの回答が入った状態で受付できるので、同じことを書き直す必要はありません。
plan-code-issue = 窓口用のコードを発行する
plan-code-show = 窓口でこのコードを見せるか、読み上げてください。職員がQRコードを読み取るか入力すると、ここまでの回答が入った状態で受付できます。
plan-code-qr-label = 窓口用のコードのQRコード
plan-code-valid = { $date }まで使えます。
plan-code-once = コードは1回だけ使えます。もう一度発行すると、前のコードは使えなくなります。
plan-code-back = 手続の一覧に戻る
procedure-prepare-counter = 窓口に行く前に入力しておく
procedure-prepare-counter-note = 申請書の内容を先に入力し、窓口で見せるコードを受け取れます。窓口では書かずに済みます。
review-counter-only = 窓口でだけ受け付ける手続が含まれています。コードを発行して窓口で見せてください。入力した内容で受け付けます。
plan-link-title = この一覧のアドレス
plan-link-body = このアドレスを控えておくと、あとで同じ一覧を開けます（{ $date }まで保存します）。
bundle-choose-title = オンラインの手続をまとめて申請する
bundle-choose-lead = 氏名や住所など共通の内容は一度だけ入力します。そのあと、それぞれの手続に必要なことだけをお聞きします。確認ページで一つずつ外すこともできます。
bundle-choose-legend = まとめて申請する手続
bundle-choose-none = まとめて申請する手続を1つ以上選んでください
bundle-start = 選んだ手続の入力を始める
bundle-submitted-notice = この一覧の手続をまとめて申請しました。
bundle-done-link = 受付番号と受付状況を見る
bundle-review-title = まとめて申請する内容の確認
bundle-review-lead = 手続ごとに担当課へ届きます。内容を確認して、まとめて申請してください。
bundle-facts-title = 共通の内容
bundle-department = 担当課
bundle-all-from-facts = この手続は共通の内容だけで申請できます。
bundle-drop = この手続は申請しない
bundle-submit = { $count }件の手続をまとめて申請する
bundle-done-title = まとめて申請しました
bundle-done-keep = 手続ごとの受付番号と、すべてに共通のアクセスコードを控えてください。受付状況の確認に使います。
bundle-done-mail = 手続ごとに確認メールをお送りしました。
bundle-receipts-caption = 申請した手続
bundle-col-procedure = 手続
bundle-col-status = 状況
bundle-status-title = 同時に申請した手続
bundle-status-lead = 同じアクセスコードで、どの受付番号の状況も確認できます。
staff-filter-event = ライフイベント
case-bundle-title = ライフイベント「{ $event }」でまとめて申請されました
case-bundle-lead = 同時に申請された手続（内容はそれぞれの担当課だけが見られます）
bundle-empty = まとめて申請する手続がありません
bundle-not-implied = 質問の答えからは必要とされない手続、またはオンラインで申請できない手続が含まれています
plan-expired-title = この手続一覧の保存期限が切れています
plan-expired-body = お手数ですが、もう一度質問に答えて一覧をお作りください。

## The counter (書かない窓口)
staff-nav-counter = 窓口受付
users-role-counter = 窓口（来庁者の受付。担当課の受信箱は見られません）
counter-title = 窓口受付
counter-start = 受付を始める
counter-today = 本日
counter-day-heading = { $day }の受付
counter-day-label = 表示する日
counter-day-show = 表示する
counter-day-invalid = 日付は「2026-12-01」の形で入力してください。
counter-none-today = { $day }の受付はありません。
counter-col-started = 受付時刻
counter-col-resident = 来庁者
counter-col-staff = 担当
counter-summary = { $day }の受付 { $visits }件（終了 { $ended }件、所要時間の中央値 { $median }分）
counter-summary-none-ended = { $day }の受付 { $visits }件（終了した受付はまだありません）
counter-col-duration = 所要時間
counter-open = 対応中
counter-ended = 終了
counter-unidentified = （本人確認前）
counter-minutes = { $minutes }分
counter-back = 本日の受付に戻る
counter-visit-title = 受付
counter-started = 受付
counter-ended-at = 終了
counter-identity = 来庁された方
counter-identity-none = まだ本人確認をしていません。マイナンバーカードを読み取るか、本人確認書類を見て入力してください。
counter-source-card = マイナンバーカード（券面事項入力補助AP）から読み取りました。
counter-source-typed = 本人確認書類を見て入力しました。
counter-card = マイナンバーカードの読み取り
counter-card-refresh = 最新の状態を見る
counter-agent-none = この端末にはカードリーダーがまだ接続されていません。「カードリーダーを接続する」を押し、表示されたコードを窓口のパソコンのカードエージェントに入力してください。
counter-agent-paired = 接続しているカードリーダー:
counter-card-read = カードを読み取る
counter-pairing-start = カードリーダーを接続する
counter-pairing-lead = 窓口のパソコンで、次のコードをカードエージェントに入力してください（10分間有効、1回限り）。
counter-pairing-command = コマンド:
counter-card-requested = カードリーダーに読み取りを依頼しました。カードを置いて、暗証番号（数字4桁）をご本人に入力してもらってください。
counter-card-reading = 読み取り中です。カードをカードリーダーから離さないでください。
counter-card-done = カードを読み取りました。内容をご本人と確認してください。
counter-card-wrong_pin = 暗証番号が違います。あと{ $tries }回間違えるとロックされます。
counter-card-blocked = 暗証番号がロックされています。カードは読み取れません。暗証番号の再設定（初期化）の手続をご案内し、本人確認書類を見て入力してください。
counter-card-card_removed = 読み取り中にカードが離れました。カードを置き直して、もう一度読み取ってください。
counter-card-no_card = カードが置かれませんでした。もう一度読み取ってください。
counter-card-not_my_number_card = マイナンバーカードではないカードです。
counter-card-pin_format = 暗証番号は数字4桁です。もう一度読み取ってください。
counter-card-unreadable = カードのデータを読み取れませんでした。本人確認書類を見て入力してください。
counter-card-reader_error = カードリーダーでエラーが起きました。カードエージェントの画面を確認してください。
counter-card-not_taken = カードエージェントが応答しません。窓口のパソコンでカードエージェントが動いているか確認してください。
counter-no-agent = カードリーダーが接続されていません。先に「カードリーダーを接続する」を押してください。
counter-card-unreadable-api = カードのデータを読み取れませんでした。
counter-agent-name = 端末名
counter-typed = 本人確認書類を見て入力する
counter-typed-lead = 在留カード・運転免許証などを見て入力します。オンライン申請と同じ確認をします。
counter-typed-save = 本人確認を記録する
counter-interview = 聞き取りと申請書の作成
counter-interview-lead = ライフイベントを選んで聞き取りを始めます。来庁された方の氏名・住所は本人確認から入ります。
counter-interview-event = ライフイベント
counter-interview-start = 聞き取りを始める
counter-interview-running = 聞き取り中:
counter-interview-continue = 聞き取りを続ける
counter-submitted = この受付で申請した手続
counter-sheets-title = 申請書の印刷
counter-sheets-lead = この受付で申請した手続ごとに、A4で1枚ずつ印刷されます。ご本人に内容を確認してもらい、署名欄に署名をもらってください。
counter-sheets-back = 受付に戻る
counter-sheets-date = 受付日
counter-sheets-confirm = 上記の内容に相違ありません。
counter-sheets-signature = 署名
counter-sheets-signed-on = 日付
counter-sheets-print = 申請書を印刷する
counter-col-forms = 申請
counter-forms-summary = 申請 { $forms }件（受付1件あたり { $per }件）
counter-code-title = 来庁者が持参したコード
counter-code-label = 窓口用のコード
counter-code-hint = ご本人がスマートフォンなどで準備したコード（例: 7K2QM-X9TRF）。QRコードリーダーで読み取るか、入力します。
counter-code-open = コードで開く
counter-code-format = コードは英数字10文字です（ハイフンはあってもなくてもかまいません）。
counter-code-unknown = このコードは見つからないか、有効期限が切れているか、すでに使われています。ご本人にコードを発行し直してもらってください。
counter-code-busy = この受付はすでに聞き取りを始めています。コードで開くには、新しい受付を始めてください。
counter-plan-count = この方に必要な手続は{ $count }件です。
counter-bundle-choose-title = 窓口でまとめて受け付ける手続
counter-bundle-choose-lead = 氏名・住所などは本人確認の内容から入ります。共通の内容を一度だけ確認し、そのあと手続ごとに残りを入力します。窓口でだけ受け付ける手続も選べます。
counter-end-title = 受付の終了
counter-end = 受付を終了する
