/*
 * CEditLine: libedit (BSD editline) for the interactive shell, through non-variadic static inline wrappers.
 *
 * el_set/el_wset, el_get/el_wget and history_w are variadic, which Swift cannot call; and stdin/stdout/stderr
 * are "not concurrency-safe" globals in Swift 6. Everything the shell needs is reached through a function
 * here. Debian's libedit-dev (scripts/install-deps) puts histedit.h and libedit.so on the default paths, so
 * no pkg-config is needed. Only the receptor executable imports this module.
 */
#ifndef RECEPTOR_CEDITLINE_SHIM_H
#define RECEPTOR_CEDITLINE_SHIM_H

#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <histedit.h>

typedef wchar_t *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_key_fn)(EditLine *, int);

/* LC_CTYPE from the environment, so libedit counts terminal cells with wcwidth (CJK and emoji take two); a
   locale that is not UTF-8 (LANG unset, C, POSIX) becomes C.UTF-8, as the shell's text is always UTF-8.
   Returns 1 if the resulting codeset is UTF-8. */
static inline int cedit_use_utf8_ctype(void) {
    setlocale(LC_CTYPE, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset == NULL || (strcasecmp(codeset, "UTF-8") != 0 && strcasecmp(codeset, "utf8") != 0)) {
        if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) return 0;
    }
    codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
}

/* An editor on the standard streams, in emacs mode. libedit's own signal handling (EL_SIGNAL) stays off: it
   expects the signal to interrupt its read() on the same thread, and in a Swift program the signal goes to
   another thread; the caller reads characters itself (cedit_set_getc) and handles the signals. */
static inline EditLine *cedit_open(const char *program) {
    EditLine *el = el_init(program, stdin, stdout, stderr);
    if (el == NULL) return NULL;
    el_wset(el, EL_EDITOR, L"emacs");
    el_wset(el, EL_SIGNAL, 0);
    return el;
}

/* The function libedit reads a character with (EL_GETCFN): returns 1 with *c set, 0 at end of input, -1 on
   an error. */
static inline int cedit_set_getc(EditLine *el, int (*getc)(EditLine *, wchar_t *)) { return el_wset(el, EL_GETCFN, getc); }

static inline void cedit_close(EditLine *el) { el_end(el); }

static inline void cedit_set_client_data(EditLine *el, void *data) { el_wset(el, EL_CLIENTDATA, data); }

static inline void *cedit_client_data(EditLine *el) {
    void *data = NULL;
    el_wget(el, EL_CLIENTDATA, &data);
    return data;
}

static inline int cedit_set_prompt(EditLine *el, cedit_prompt_fn prompt) { return el_wset(el, EL_PROMPT, prompt); }

/* Names a function (EL_ADDFN) for key bindings. */
static inline int cedit_add_function(EditLine *el, const wchar_t *name, const wchar_t *help, cedit_key_fn fn) {
    return el_wset(el, EL_ADDFN, name, help, fn);
}

/* bind KEY FUNCTION, as in editrc(5): "^I", "\\e[Z". */
static inline int cedit_bind(EditLine *el, const wchar_t *key, const wchar_t *function) {
    return el_wset(el, EL_BIND, key, function, (const wchar_t *)NULL);
}

/* setty -d ARG (the terminal modes while editing), as in editrc(5): "intr=" turns the interrupt character off
   while editing, so Ctrl-C reaches the editor as a key. */
static inline int cedit_setty_edit(EditLine *el, const wchar_t *arg) {
    return el_wset(el, EL_SETTY, L"-d", arg, (const wchar_t *)NULL);
}

/* Reads ~/.editrc (or $EDITRC), as every libedit program does; lines may be prefixed "receptor:". */
static inline int cedit_source_user_file(EditLine *el) { return el_source(el, NULL); }

/* Refreshes the whole line (EL_REFRESH). */
static inline void cedit_refresh(EditLine *el) { el_wset(el, EL_REFRESH); }

/* Puts the terminal in edit (raw) or normal (cooked) mode. */
static inline void cedit_prepare_terminal(EditLine *el, int editing) { el_wset(el, EL_PREP_TERM, editing); }

/* ---- History (wide) ----------------------------------------------------------------------------------- */

static inline HistoryW *cedit_history_open(int size) {
    HistoryW *h = history_winit();
    if (h == NULL) return NULL;
    HistEventW ev;
    history_w(h, &ev, H_SETSIZE, size);
    history_w(h, &ev, H_SETUNIQUE, 1);
    return h;
}

static inline void cedit_history_close(HistoryW *h) { history_wend(h); }

static inline int cedit_history_enter(HistoryW *h, const wchar_t *line) {
    HistEventW ev;
    return history_w(h, &ev, H_ENTER, line);
}

/* Attaches the history to the editor (Up/Down, Ctrl-R). */
static inline int cedit_use_history(EditLine *el, HistoryW *h) { return el_wset(el, EL_HIST, history_w, h); }

#endif
