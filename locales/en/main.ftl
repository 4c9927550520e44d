# madoguchi: resident-facing strings, English (translation of ja/main.ftl).

## Layout
site-name = { $ward } Online Counter
site-name-short = Online Counter
skip-to-content = Skip to main content
nav-find = Find a procedure
nav-status = Check an application
lang-switch = 日本語
lang-switch-label = 日本語に切り替える
footer-contact = Main line { $phone }
footer-about = This site runs on madoguchi (open source).
nav-label = Main menu

## Home
home-title = { $ward } Online Counter
home-lead = Do your city-hall procedures from a phone or computer, at any hour.
search-label = Find a procedure
search-hint = For example: residence record, child allowance, bulky waste
search-button = Search
home-categories = Browse by category
home-life-events = Browse by life event
home-status = Check an application you made
home-status-lead = With your receipt number and access code you can check the status of an application or withdraw it.

## Procedure lists
results-title = Results for “{ $query }”
results-count = { $count } procedures found
results-none = No procedure matches. Try other words, or browse by category.
results-empty-query = Type the name of a procedure or a word about it.
badge-online = Apply online
badge-counter = At the counter only
all-procedures = All procedures

## Procedure page
procedure-eligibility = Who can apply
procedure-prepare = What you need
procedure-prepare-none = Nothing in particular.
procedure-fee = Fee
procedure-time = How long it takes
procedure-department = Department
procedure-phone = Phone
procedure-hours = Hours
procedure-place = Place
procedure-start = Start your application
procedure-start-note = You can stop and come back later from a private link. No account is needed.
procedure-counter-only = This procedure cannot be done online
fee-free = Free
fee-fixed = { $amount } yen
fee-per-unit = { $amount } yen per copy
fee-item-sum = Depends on the items (the total is shown before you submit)
fee-parts = Depends on your answers (the breakdown and total are shown before you submit)
fee-decided-by-staff = The department will tell you the amount after review
fee-decided = { $amount } yen (decided by the department)
fee-unknown = Calculated from your answers
fee-lines-title = Breakdown
status-withdraw-closed = Withdrawal closed on { $date }. To withdraw, please contact { $department }.
date-window = You can choose a day from { $from } to { $to }.
date-window-from = You can choose a day from { $from }.
date-window-to = You can choose a day up to { $to }.
stats-stops-title = Forms that ended as not eligible
stats-stops-lead = How many residents learned part-way that the procedure was not for them and were shown where to go instead (nothing they typed was kept).
stats-stop-reason = What they were told
stats-stop-count = Count
stopped-title = This procedure is not for you
stopped-nothing-kept = Nothing you entered has been kept.
stopped-restart = Check your answers and start again

## Question pages
back = Back
continue = Continue
required = Required
optional = Optional
error-summary-title = There is a problem
error-prefix = Error:
date-year = Year
date-month = Month
date-day = Day
date-era = Calendar
era-seireki = Western
era-reiwa = Reiwa
era-heisei = Heisei
era-showa = Showa
era-taisho = Taisho
era-meiji = Meiji
date-hint = Western calendar or Japanese era. For example, 1 April 2026: Western 2026 4 1, or Reiwa 8 4 1
yes = Yes
no = No
select-placeholder = Choose one
postal-lookup = Find address
postal-filled = The address was filled in. Add the block number and building.
name-hint = Enter family and given names separately. Foreign residents may write their name in Latin letters as on the residence card. The reading may be typed in hiragana.
part-family = Family name
part-given = Given name
part-family_kana = Family name reading (katakana)
part-given_kana = Given name reading (katakana)
bank-hint = The bank code (4 digits) and branch code (3 digits) are on your passbook, cash card or the bank's website. An account number shorter than 7 digits can be typed as it is.
part-bank_code = Bank code
part-branch_code = Branch code
part-account_type = Account type
part-account_number = Account number
part-holder_kana = Account holder (katakana)
account-type-ordinary = Ordinary
account-type-current = Current
account-type-savings = Savings
bank-account-text = Bank { $bank }, branch { $branch }, { $type } { $number }, { $holder }
my-number-hint = 12 digits (hyphens and spaces are fine). The number is stored encrypted and screens show only its last 4 digits.
my-number-on-file = A My Number is on file ({ $masked }). Enter one only to change it.
file-choose = Choose a file
file-attached = Attached: { $name } ({ $size })
file-kept = Attached: { $name }
file-remove = Remove the attached file
file-hint = { $types }, up to { $mb } MB
group-add = Add { $label }
group-remove = Remove { $item }
group-count = You can add up to { $max }
resume-title = You can finish later
resume-body = Bookmark this page to continue until { $date }. Do not share the link.
step-progress = Step { $current } of { $total }

## Check your answers
review-title = Check your answers
review-lead = Check your answers, then submit.
review-change = Change
review-change-hidden = ({ $label })
review-none = Not answered
review-fee-total = Total fee
review-submit = Submit application
review-declaration = When you submit, your application is received. To change it afterwards, contact the department.
review-items = { $count } items

## Confirmation
done-title = Application received
done-receipt = Receipt number
done-access-code = Access code
done-keep = You need the receipt number and access code to check or withdraw your application. Write them down, or print or save this page.
done-next = What happens next
done-next-body = { $department } will review your application. { $time }
done-contact = Questions: { $department } (phone { $phone })
done-mail = We will send a confirmation to the email address you gave.
done-status-link = Check your application
done-home = Back to the home page

## Status
status-lookup-title = Check an application
status-lookup-lead = Enter the receipt number and access code shown when you applied.
status-receipt = Receipt number
status-receipt-hint = For example: 2026-0000123
status-access-code = Access code
status-access-code-hint = For example: ABCDE-FGHJK (upper or lower case)
status-lookup-button = Check
status-not-found = The receipt number or access code is not correct. Check the page or note from when you applied.
status-title = Application status
status-current = Current status
status-history = History
status-when = Date
status-what = What happened
status-answers = What you submitted
status-withdraw-title = Withdraw the application
status-withdraw-lead = Until the department accepts it, you can withdraw this application. This cannot be undone.
status-withdraw-confirm = I want to withdraw this application
status-withdraw-button = Withdraw
status-withdraw-confirm-required = To withdraw, tick “I want to withdraw this application”
status-withdrawn-notice = Your application has been withdrawn.
status-withdraw-not-allowed = The department has already accepted this application, so it cannot be withdrawn. Please contact the department.

## Application statuses
status-correction-title = Correction needed
status-correction-lead = The department asks you to fix the answers below. Fix them and press "Send the correction". Your other answers stay as you sent them.
status-resubmit-button = Send the correction
status-resubmitted-notice = Your correction was sent. The department will review it.
event-accepted = Accepted
event-correction_requested = A correction was requested
event-resubmitted = Corrected and sent again
event-approved = Approved
event-rejected = Rejected
event-completed = Completed
app-status-submitted = Received (waiting for review)
app-status-accepted = Accepted
app-status-correction_requested = Correction requested
app-status-resubmitted = Corrected (awaiting review)
app-status-approved = Approved
app-status-rejected = Rejected
app-status-completed = Completed
app-status-withdrawn = Withdrawn

## History events
event-submitted = Application received
event-withdrawn = Application withdrawn

## Error pages
page-not-found-title = Page not found
page-not-found-body = The address may be wrong, or the page may have moved.
draft-expired-title = This draft has expired
draft-expired-body = Please start the application again.
not-online-title = This procedure cannot be done online
server-error-title = Sorry, there is a problem with the service
server-error-body = Please try again later. Your answers have been saved.
csrf-title = This page has expired
csrf-body = Go back to the previous page and try again.
rate-limited-title = Too many requests in a short time
rate-limited-body = Please wait a minute and try again.
too-large-title = What you sent is too large
too-large-body = The request is over the size limit. Please make the files smaller or send them separately.
bad-request-title = What you sent could not be read
bad-request-body = The connection may have been interrupted. Please go back and send it again.
unsupported-type-title = This kind of request is not accepted
unsupported-type-body = Please send it with the form on the page.
not-allowed-title = This cannot be done in the application's current state
not-allowed-body = The application's state has changed. Please check its status page.
conflict-title = This application was changed by another action
conflict-body = Check its current state, then try again.
status-resubmit-not-allowed = This application cannot be corrected now. Please check its status.
already-submitted-title = This application has already been submitted
home-link = Go to the home page

## Answer problems
error-required = Enter { $label }
error-required-choose = Select { $label }
error-required-file = Attach { $label }
error-required-items = Add at least one { $label }
error-too-long = { $label } must be { $max } characters or fewer
error-too-small = { $label } must be { $min } or more
error-too-large = { $label } must be { $max } or less
error-date-too-early = { $label } must be on or after { $date }
error-date-too-late = { $label } must be on or before { $date }
error-invalid-number = { $label } must be a number, like 3
error-invalid-date = { $label } must be a real date, like 2026, 4, 1
error-invalid-wareki = { $label }: { $reason }
error-invalid-option = Select { $label } from the options shown
error-invalid-email = Enter { $label } as an email address, like taro@example.jp
error-invalid-phone = Enter { $label } as a 10 or 11 digit number starting with 0, like 03-5744-1111
error-phone-length = { $label }: a { $line } number has { $expected } digits ({ $actual } were entered)
error-invalid-my-number = { $label } is not a valid 12-digit My Number; please check it
error-invalid-bank-code = { $label } is 4 digits (for example 0001)
error-invalid-branch-code = { $label } is 3 digits (for example 001)
error-invalid-account-number = { $label } is up to 7 digits
error-invalid-corporate-number = { $label } is not a valid 13-digit corporate number
error-invalid-postal-code = Enter { $label } as 7 digits, like 144-8621
error-unknown-postal-code = { $label }: this postal code does not exist; check the number
error-invalid-kana = Enter { $label } in katakana (hiragana is converted)
error-invalid-kana-chars = Enter { $label } in katakana or hiragana (not allowed: { $found })
error-invalid-type = { $label } has the wrong kind of value
error-not-applicable = { $label } does not apply to this application
error-unknown-field = There is no question “{ $label }”
error-too-few-items = Add at least { $min } { $label }
error-too-many-items = You can add up to { $max } { $label }
error-duplicate = The same { $label } is chosen twice; choose a different one
error-file-type = { $label } must be a { $types } file
error-file-too-large = { $label } must be smaller than { $mb } MB
error-control-character = { $label }: character { $position } is a control character ({ $code }) that cannot be entered. Please delete it
error-bidi-control = { $label }: character { $position } is a text-direction mark ({ $code }). Please delete it
error-invisible-only = { $label } has no visible characters. Please enter it again
error-answers-object = Send the answers as a JSON object keyed by question id
error-file-damaged = { $label }: this could not be read as a { $type } file. Check that the file is not damaged and choose it again
error-body-too-large = What you sent is too large (at most { $mb } MB, files included). Make the files smaller and send again
error-body-unreadable = What you sent did not arrive whole. Please send it again
error-too-many-files = You can attach up to { $max } files for { $label }
error-unknown-attachment = The file for { $label } was not found; upload it again
error-day-weekday = { $label }: choose a { $days }
error-day-of-month = { $label }: choose day { $days } of a month
error-day-holiday = { $label }: national holidays ({ $holiday }) cannot be chosen; choose another day
error-day-year-end = { $label }: 29 December to 3 January cannot be chosen; choose another day
error-past-deadline = { $label }: the deadline for this day ({ $date }) has passed; choose another day or contact the department
error-not-same = { $label } does not match { $other }; enter the same
error-option-unavailable = { $label }: this option cannot be chosen with your other answers
error-invalid-digits = { $label }: enter { $count } digits
error-pattern = { $label } is not in the expected form
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday
error-outside-municipality = { $label }: this postal code is not in { $municipality }. This procedure is for residents of { $municipality }; please contact your own municipality
error-outside-municipality-explain = { $label }: this postal code is not in { $municipality }. If you live elsewhere, please give the reason
rank-label = Choice { $n }
list-separator = {", "}

## Mail
mail-status-subject = [{ $ward }] Your application for { $procedure }: { $status } (receipt { $receipt })
mail-status-body =
    This is { $ward }.
    The status of application { $receipt } ({ $procedure }) is now "{ $status }".
    
    See the status page with your receipt number and access code for details.
    { $status_url }
    
    Questions: { $department }
    
    This address does not receive replies.
mail-status-body-message =
    This is { $ward }.
    The status of application { $receipt } ({ $procedure }) is now "{ $status }".
    
    Message from the department:
    { $message }
    
    If a correction is needed, open the status page with your receipt number and access code, fix the answers named there and send them again.
    { $status_url }
    
    Questions: { $department }
    
    This address does not receive replies.
mail-fee-subject = [{ $ward }] The fee for { $procedure } is decided (receipt { $receipt })
mail-fee-body =
    This is { $ward }.
    The fee for application { $receipt } ({ $procedure }) is { $fee }.
    
    See the status page with your receipt number and access code.
    { $status_url }
    
    Questions: { $department }
    
    This address does not receive replies.
mail-fee-body-message =
    This is { $ward }.
    The fee for application { $receipt } ({ $procedure }) is { $fee }.
    
    Message from the department:
    { $message }
    
    See the status page with your receipt number and access code.
    { $status_url }
    
    Questions: { $department }
    
    This address does not receive replies.
mail-submitted-fee = {"\u000A"}Fee: { $fee }
mail-submitted-subject = [{ $ward }] Application received: { $procedure } (receipt { $receipt })
mail-submitted-body =
    This is { $ward }.
    We have received the following application.
    
    Procedure: { $procedure }
    Receipt number: { $receipt }
    Date: { $date }{ $fee }
    
    You can check its status with the receipt number and the access code shown when you applied.
    { $status_url }
    
    Questions: { $department } (phone { $phone })
    
    This address does not receive replies.

## Back office
staff-site-name = madoguchi back office
staff-nav-label = Back office menu
staff-nav-inbox = Inbox
staff-nav-export = Export
staff-nav-integration = Integration
staff-nav-users = Staff accounts
staff-logout = Log out
staff-login-title = Staff login
staff-login-lead = Log in with your department's staff account.
staff-login-id = Login ID
staff-login-password = Password
staff-login-button = Log in
staff-login-failed = Wrong login ID or password
staff-login-locked = After repeated failures this account is locked for a while. Try again later or ask an administrator
staff-all-departments = All departments (administrator)
staff-inbox-title = Inbox
staff-inbox-pages = Pages of the inbox
staff-inbox-first = Back to the first page
staff-inbox-next = Show the next 50
staff-inbox-empty = No applications match.
staff-counts-label = Applications by status
staff-filter-label = Filter applications
staff-filter-procedure = Procedure
staff-filter-status = Status
staff-filter-from = Submitted from
staff-filter-to = Submitted until
staff-filter-search = Receipt number or applicant name
staff-filter-all = All
staff-filter-button = Filter
staff-col-receipt = Receipt number
staff-col-procedure = Procedure
staff-col-applicant = Applicant
staff-col-submitted = Submitted
staff-col-days = Days waiting
staff-col-status = Status
staff-back-to-inbox = Back to the inbox
staff-yes = Yes
staff-no = No
staff-error-login = The login ID cannot contain spaces
staff-error-login-taken = This login ID is taken
staff-error-password-short = Passwords need at least 12 characters
staff-error-department = Choose the department of a staff account
staff-error-unknown-department = There is no such department
channel-web = Web
channel-api = API
channel-counter = Counter
case-title = Application { $receipt }
case-channel = Channel
case-assignee = Assigned to
case-unassigned = Unassigned
case-version = Definition version
case-open-correction = Correction requested
case-correction-fields = Answers to fix
case-gaiji-title = Possible gaiji
case-gaiji-lead = These characters may not fit business systems limited to JIS X 0208 or CP932. They are stored exactly as the applicant typed them.
case-gaiji-question = Question
case-gaiji-char = Character
case-gaiji-code = Code point
case-answers = Answers
case-files = Attachments
case-my-number-reveal = Show the My Number
case-my-number-audited = This view is recorded in the audit log. The number is masked again when you leave the page.
case-actions = Actions
case-action-accept = Accept
case-action-approve = Approve
case-action-complete = Mark completed
case-action-request_correction = Request a correction
case-action-reject = Reject
case-action-assign = Change assignee
case-action-note = Add a note
case-action-decide_fee = Decide the fee
case-done-accept = Accepted.
case-done-approve = Approved.
case-done-complete = Marked completed.
case-done-request_correction = Correction requested. The applicant will be told.
case-done-reject = Rejected.
case-done-assign = Assignee changed.
case-done-note = Note added.
case-done-decide_fee = Fee decided. The applicant will be told.
case-fee-amount = Fee
case-fee-amount-hint = In yen, digits only (e.g. 460). Deciding again tells the applicant the new amount.
case-fee-yen = yen
case-fee-message = Message to the applicant (breakdown, how to pay; optional)
case-correction-choose = Answers to fix
case-correction-message = Message to the applicant (what to fix and how)
case-reject-reason = Reason for rejection (shown to the applicant)
case-text-label = The text you entered
case-note = Internal note
case-note-hint = Only staff see notes. The applicant does not.
case-history = History
case-who = By
case-note-col = Details
case-internal = Internal
case-actor-resident = Applicant
case-access = Access record
case-ip = From
case-error-message = Write the message to the applicant
case-error-reason = Write the reason for rejection
case-error-note = Write the note
case-error-fee-amount = Enter the fee in yen, digits only (e.g. 460)
case-error-fee-not-decided = This procedure's fee is computed from the answers and cannot be decided
case-error-fields = Choose the answers to fix
case-error-assignee = Choose a staff member of this department
case-error-not-allowed = This action is not possible in the current status. Reload the page
case-error-conflict = This application was changed by another action. Check its current state and try again
case-error-my-number = You are not allowed to see My Numbers
event-assigned = Assigned
event-note = Note
event-fee_decided = Fee decided
audit-case-read = Viewed
audit-case-act = Action
audit-attachment-read = Attachment downloaded
audit-my_number-read = My Number shown
audit-my_number-refused = My Number refused
audit-api-read = Read by a business system
export-title = Export
export-lead = Export a procedure's applications in the form business systems import. Column names and order follow the procedure's definition.
export-format = Format
export-encoding = Character encoding
export-utf8 = UTF-8 (with BOM, opens in Excel)
export-cp932 = Shift_JIS (CP932)
export-button = Export
export-column = Column
export-position = Position (character)
export-unmappable-title = Some characters cannot be written in Shift_JIS
export-unmappable-lead = These characters cannot be written in Shift_JIS (CP932), so nothing was exported. Nothing was replaced: register a gaiji, check with the applicant, or export in UTF-8.
export-unmappable-link = See the characters
integration-title = Integration
delivery-title = Webhook deliveries
delivery-empty = No deliveries yet.
delivery-attempts = Attempts
delivery-error = Last error
delivery-resend = Resend
delivery-done = Delivered
delivery-failing = Failing (retrying)
delivery-pending = Waiting
token-title = API tokens
token-lead = Tokens let business systems pull applications. A token is shown once, when it is issued; only its hash is stored.
token-name = Name
token-department = Department
token-created = Issued
token-last-used = Last used
token-issue = Issue a token
token-issued = Token issued. It will not be shown again: save it in the business system's settings now.
token-revoke = Revoke
token-revoked = Revoked
token-error-name = Give the token a name
client-title = Front ends (API clients)
client-lead = Keys for front ends that submit for residents through the API, such as a LINE bot or a kiosk. Requests with a key are counted against the key's own limit instead of the sending address's. A key is shown once, when it is issued.
client-name = The front end's name
client-budget = Limit per minute (each of submissions, uploads and look-ups)
client-budget-hint = Leave empty for the default. A whole number of 1 or more.
client-issue = Issue a key
client-issued = The key was issued. It will not be shown again after you leave this page: store it in the front end's settings.
client-error-name = Enter a name for the key
client-error-budget = Enter the limit per minute as a whole number of 1 or more
users-title = Staff accounts
users-name = Name
users-admin = Administrator
users-my-number = May see My Numbers
users-role = Role
users-role-staff = Staff (own department only)
users-role-admin = Administrator (all departments)
users-add = Add an account
users-added = Account { $login } added
users-password-hint = At least 12 characters
api-unauthorized = An API token is required
api-forbidden = Not permitted
event-lead = Answer a few questions and we list the procedures you need, with deadlines, where to go and what to bring. Your answers are kept at a page only you can open.
event-covers = Procedures the list can include
event-start = Answer the questions
event-start-note = We do not ask anything that identifies you yet.
plan-title = Procedures for: { $event }
plan-count = You need { $count } procedures.
plan-lead = Grouped by department. You can print this page.
plan-change = Change your answers
plan-maybe = May apply
plan-maybe-note = Whether you need it depends on a question you answered "I don't know". Ask at the counter.
plan-deadline = Deadline: { $date }
plan-bring = What to bring
plan-code-title = Continuing at the counter
plan-code-lead = If you will do these procedures at the counter, get a code and show it there. The counter opens with your answers so far, so you need not write them again.
plan-code-issue = Get a code for the counter
plan-code-show = Show this code at the counter or read it out. When staff scan the QR code or type it, your answers so far are already filled in.
plan-code-qr-label = QR code of the counter code
plan-code-valid = It works until { $date }.
plan-code-once = The code works once. Getting a new one stops the old one.
plan-code-back = Back to the list of procedures
procedure-prepare-counter = Fill it in before going to the counter
procedure-prepare-counter-note = Enter the form now and get a code to show at the counter, so there is nothing to write there.
review-counter-only = This includes a procedure done only at the counter. Get a code and show it there; it is taken with what you entered.
plan-link-title = The address of this list
plan-link-body = Keep this address to open the same list later (kept until { $date }).
bundle-choose-title = Apply online for several procedures at once
bundle-choose-lead = You enter what they share, such as your name and address, only once. Then we ask only what each procedure needs. You can still leave any of them out on the check page.
bundle-choose-legend = Procedures to apply for together
bundle-choose-none = Choose at least one procedure to apply for together
bundle-start = Start the chosen procedures
bundle-submitted-notice = You have applied for the procedures of this list together.
bundle-done-link = See receipt numbers and progress
bundle-review-title = Check your answers for all procedures
bundle-review-lead = Each procedure goes to its own department. Check your answers, then apply for them together.
bundle-facts-title = Shared details
bundle-department = Department
bundle-all-from-facts = The shared details are all this procedure needs.
bundle-drop = Do not apply for this procedure
bundle-submit = Apply for { $count } procedures together
bundle-done-title = Applications sent
bundle-done-keep = Keep the receipt number of each procedure and the access code they share. You need them to check progress.
bundle-done-mail = We have sent a confirmation email for each procedure.
bundle-receipts-caption = Procedures applied for
bundle-col-procedure = Procedure
bundle-col-status = Status
bundle-status-title = Applied for together
bundle-status-lead = The same access code opens the status of each receipt number.
staff-filter-event = Life event
case-bundle-title = Applied for together with others for the life event “{ $event }”
case-bundle-lead = Applied for at the same time (only their own departments see their contents)
bundle-empty = There are no procedures to apply for together
bundle-not-implied = A procedure is not one the interview's answers call for, or cannot be applied for online
plan-expired-title = This list of procedures is no longer kept
plan-expired-body = Please answer the questions again to make a new list.

## The counter (書かない窓口)
staff-nav-counter = Counter
users-role-counter = Counter (receives residents; no department inbox)
counter-title = Counter
counter-start = Start a visit
counter-today = Today
counter-day-heading = Visits: { $day }
counter-day-label = Day to show
counter-day-show = Show
counter-day-invalid = Enter the day as 2026-12-01.
counter-none-today = No visits ({ $day }).
counter-col-started = Started
counter-col-resident = Resident
counter-col-staff = Taken by
counter-summary = { $day }: { $visits } visits ({ $ended } ended; median time { $median } min)
counter-summary-none-ended = { $day }: { $visits } visits (none ended yet)
counter-col-duration = Time
counter-open = Open
counter-ended = Ended
counter-unidentified = (not identified yet)
counter-minutes = { $minutes } min
counter-back = Back to today's visits
counter-visit-title = Visit
counter-started = Started
counter-ended-at = Ended
counter-identity = The resident
counter-identity-none = Not identified yet. Read the My Number Card, or type the details from an identity document.
counter-source-card = Read from the My Number Card (form-filling application).
counter-source-typed = Typed from an identity document.
counter-card = Reading the My Number Card
counter-card-refresh = Check for the result
counter-agent-none = No card reader is connected to this screen yet. Press "Connect a card reader" and enter the code shown in the card agent on the counter PC.
counter-agent-paired = Connected card readers:
counter-card-read = Read the card
counter-pairing-start = Connect a card reader
counter-pairing-lead = On the counter PC, enter this code in the card agent (valid for 10 minutes, once).
counter-pairing-command = Command:
counter-card-requested = The card reader was asked to read. Ask the resident to put the card on it and type the 4-digit PIN.
counter-card-reading = Reading. Keep the card on the reader.
counter-card-done = The card was read. Check the details with the resident.
counter-card-wrong_pin = Wrong PIN. { $tries } more wrong tries lock it.
counter-card-blocked = The PIN is locked; the card cannot be read. Guide the resident to have the PIN reset, and type the details from an identity document.
counter-card-card_removed = The card left the reader while it was read. Put it back and read again.
counter-card-no_card = No card was put on the reader. Read again.
counter-card-not_my_number_card = This is not a My Number Card.
counter-card-pin_format = The PIN is 4 digits. Read again.
counter-card-unreadable = The card's data could not be read. Type the details from an identity document.
counter-card-reader_error = The card reader reported an error. Check the card agent's window.
counter-card-not_taken = The card agent does not answer. Check that it runs on the counter PC.
counter-no-agent = No card reader is connected. Press "Connect a card reader" first.
counter-card-unreadable-api = The card's data could not be read.
counter-agent-name = Device name
counter-typed = Type from an identity document
counter-typed-lead = Type from a residence card, driving licence or the like; the same checks as online apply.
counter-typed-save = Record the identity
counter-interview = Interview and forms
counter-interview-lead = Choose a life event to start its interview. The resident's name and address come from the identity check.
counter-interview-event = Life event
counter-interview-start = Start the interview
counter-interview-running = Interview in progress:
counter-interview-continue = Continue the interview
counter-submitted = Procedures applied for at this visit
counter-sheets-title = Printing the forms
counter-sheets-lead = One A4 page per procedure applied for at this visit. Ask the resident to check it and sign in the signature box.
counter-sheets-back = Back to the visit
counter-sheets-date = Received on
counter-sheets-confirm = I confirm that the above is correct.
counter-sheets-signature = Signature
counter-sheets-signed-on = Date
counter-sheets-print = Print the forms
counter-col-forms = Forms
counter-forms-summary = { $forms } forms submitted ({ $per } per visit)
counter-code-title = A code the resident brings
counter-code-label = Counter code
counter-code-hint = The code the resident prepared on their phone (for example 7K2QM-X9TRF). Scan its QR code or type it.
counter-code-open = Open with the code
counter-code-format = The code is ten letters and digits (with or without the hyphen).
counter-code-unknown = This code is unknown, has expired or has been used. Ask the resident to get a new one.
counter-code-busy = This visit has started an interview already. Start a new visit to open the code.
counter-plan-count = { $count } procedures apply to this resident.
counter-bundle-choose-title = Procedures to take together at the counter
counter-bundle-choose-lead = The name and address come from the identity check. The shared details are confirmed once, then each procedure asks the rest. Procedures done only at the counter can be chosen too.
counter-end-title = Ending the visit
counter-end = End the visit
