// Pass/fail bookkeeping for the oracle scripts. The last line printed is
// always "N passed, M failed"; the exit code is non-zero on any failure.

const MAX_SHOWN_PER_SECTION = 10;

export class Report {
  passed = 0;
  failed = 0;
  notes = 0;
  #section = '';
  #shown = 0;
  #hidden = 0;

  section(title) {
    this.#flushHidden();
    this.#section = title;
    this.#shown = 0;
    console.log(`\n== ${title}`);
  }

  pass() {
    this.passed++;
  }

  // `details`: lines shown under the failure (only for the first few).
  fail(what, details = []) {
    this.failed++;
    if (this.#shown >= MAX_SHOWN_PER_SECTION) {
      this.#hidden++;
      return;
    }
    this.#shown++;
    console.log(`FAIL ${what}`);
    for (const line of details) console.log(`     ${line}`);
  }

  check(ok, what, details) {
    if (ok) this.pass();
    else this.fail(what, typeof details === 'function' ? details() : details);
    return ok;
  }

  // Information that does not fail the run (e.g. where the oracle is laxer).
  note(message) {
    this.notes++;
    console.log(`note ${message}`);
  }

  info(message) {
    console.log(message);
  }

  // Prints the summary line and returns the process exit code.
  finish() {
    this.#flushHidden();
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 ? 0 : 1;
  }

  #flushHidden() {
    if (this.#hidden > 0) console.log(`     ... and ${this.#hidden} more failures in "${this.#section}"`);
    this.#hidden = 0;
  }
}
