/*
 * CNCursesShim: what Swift cannot import from ncursesw, as static inline functions.
 *
 * SwiftPM drops pkg-config's `-D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600`, so the wide-character API stays hidden
 * unless NCURSES_WIDECHAR is defined before <ncurses.h>. Macros with expressions (A_BOLD, ACS_*, WACS_*,
 * KEY_F(n), BUTTON1_CLICKED, getmaxyx) are not imported, and the globals stdscr/LINES/COLS/stdout are
 * "not concurrency-safe" in Swift 6: everything of that kind is reached through a function here.
 *
 * Only ReceptorTerminal imports this module, and the shell's line editor for the signal helpers.
 */
#ifndef RECEPTOR_CNCURSES_SHIM_H
#define RECEPTOR_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <unistd.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <ncurses.h>

/* ---- Globals ------------------------------------------------------------------------------------------ */

static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline WINDOW *shim_curscr(void) { return curscr; }
static inline int shim_lines(void) { return LINES; }
static inline int shim_cols(void) { return COLS; }
static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }
static inline void shim_getmaxyx(WINDOW *win, int *rows, int *columns) {
    int y, x;
    getmaxyx(win, y, x);
    *rows = y;
    *columns = x;
}

/* ---- Start and stop ----------------------------------------------------------------------------------- */

/* setlocale(LC_ALL, "") from the environment (LANG, LC_ALL, LC_CTYPE); returns 0 if the locale is unknown. */
static inline int shim_setlocale_from_environment(void) { return setlocale(LC_ALL, "") != NULL; }

/* Whether the current locale's codeset is UTF-8 (call after shim_setlocale_from_environment). */
static inline int shim_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
}

/* newterm on stdin/stdout: like initscr, but returns NULL instead of exiting when TERM is unusable. */
static inline SCREEN *shim_newterm(void) { return newterm(NULL, stdout, stdin); }

/* The terminal's size from the kernel (TIOCGWINSZ); -1 if unknown. */
static inline int shim_terminal_size(int fd, int *rows, int *columns) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *columns = ws.ws_col;
    return 0;
}

/* Turns off XON/XOFF flow control so Ctrl-S and Ctrl-Q reach the program (call def_prog_mode afterwards so
   curses restores this after a suspend). */
static inline int shim_disable_flow_control(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return -1;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
    return tcsetattr(fd, TCSANOW, &t);
}

/* ---- Attributes and colours --------------------------------------------------------------------------- */

static inline attr_t shim_A_NORMAL(void) { return A_NORMAL; }
static inline attr_t shim_A_BOLD(void) { return A_BOLD; }
static inline attr_t shim_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t shim_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline attr_t shim_A_DIM(void) { return A_DIM; }
static inline attr_t shim_A_STANDOUT(void) { return A_STANDOUT; }
static inline attr_t shim_A_BLINK(void) { return A_BLINK; }
static inline attr_t shim_A_ITALIC(void) { return A_ITALIC; }
static inline attr_t shim_A_ALTCHARSET(void) { return A_ALTCHARSET; }
static inline attr_t shim_COLOR_PAIR(int pair) { return (attr_t)COLOR_PAIR(pair); }

/* ---- Drawing ------------------------------------------------------------------------------------------ */

/* Writes n wide characters at (y, x) with the given attributes and colour pair (0 = default colours). */
static inline int shim_put_wide(WINDOW *win, int y, int x, const wchar_t *text, int n, attr_t attrs, int pair) {
    wattr_set(win, attrs, (short)pair, NULL);
    return mvwaddnwstr(win, y, x, text, n);
}

/* ---- Line drawing (valid only after newterm/initscr: the tables are filled then) ------------------------ */

static inline chtype shim_ACS_HLINE(void) { return ACS_HLINE; }
static inline chtype shim_ACS_VLINE(void) { return ACS_VLINE; }
static inline chtype shim_ACS_ULCORNER(void) { return ACS_ULCORNER; }
static inline chtype shim_ACS_URCORNER(void) { return ACS_URCORNER; }
static inline chtype shim_ACS_LLCORNER(void) { return ACS_LLCORNER; }
static inline chtype shim_ACS_LRCORNER(void) { return ACS_LRCORNER; }
static inline chtype shim_ACS_LTEE(void) { return ACS_LTEE; }
static inline chtype shim_ACS_RTEE(void) { return ACS_RTEE; }
static inline chtype shim_ACS_TTEE(void) { return ACS_TTEE; }
static inline chtype shim_ACS_BTEE(void) { return ACS_BTEE; }
static inline chtype shim_ACS_PLUS(void) { return ACS_PLUS; }

static inline const cchar_t *shim_WACS_HLINE(void) { return WACS_HLINE; }
static inline const cchar_t *shim_WACS_VLINE(void) { return WACS_VLINE; }
static inline const cchar_t *shim_WACS_ULCORNER(void) { return WACS_ULCORNER; }
static inline const cchar_t *shim_WACS_URCORNER(void) { return WACS_URCORNER; }
static inline const cchar_t *shim_WACS_LLCORNER(void) { return WACS_LLCORNER; }
static inline const cchar_t *shim_WACS_LRCORNER(void) { return WACS_LRCORNER; }
static inline const cchar_t *shim_WACS_D_HLINE(void) { return WACS_D_HLINE; }
static inline const cchar_t *shim_WACS_D_VLINE(void) { return WACS_D_VLINE; }
static inline const cchar_t *shim_WACS_T_HLINE(void) { return WACS_T_HLINE; }
static inline const cchar_t *shim_WACS_T_VLINE(void) { return WACS_T_VLINE; }
static inline int shim_mvadd_wch(WINDOW *win, int y, int x, const cchar_t *wch) { return mvwadd_wch(win, y, x, wch); }

/* ---- Input -------------------------------------------------------------------------------------------- */

static inline int shim_KEY_F(int n) { return KEY_F(n); }

/* wget_wch: returns OK (a character in *value), KEY_CODE_YES (a KEY_* code in *value) or ERR (timeout). */
static inline int shim_get_wch(WINDOW *win, unsigned int *value) {
    wint_t ch = 0;
    int status = wget_wch(win, &ch);
    *value = (unsigned int)ch;
    return status;
}

/* ---- Mouse -------------------------------------------------------------------------------------------- */

static inline mmask_t shim_BUTTON1_PRESSED(void) { return BUTTON1_PRESSED; }
static inline mmask_t shim_BUTTON1_RELEASED(void) { return BUTTON1_RELEASED; }
static inline mmask_t shim_BUTTON1_CLICKED(void) { return BUTTON1_CLICKED; }
static inline mmask_t shim_mousemask(mmask_t mask) { return mousemask(mask, NULL); }

/* getmouse: returns OK and fills row, column and the button state, or ERR. */
static inline int shim_getmouse(int *row, int *column, mmask_t *state) {
    MEVENT event;
    if (getmouse(&event) != OK) return ERR;
    *row = event.y;
    *column = event.x;
    *state = event.bstate;
    return OK;
}

/* ---- Signals ------------------------------------------------------------------------------------------ */
/* (A header-only module cannot keep static state: the caller keeps the replaced actions.) */

/* Installs handler for sig with SA_RESTART and an empty mask; the replaced action goes to *old (if not NULL). */
static inline int shim_install_handler(int sig, void (*handler)(int), struct sigaction *old) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(sig, &action, old);
}

/* Puts an action back (one that shim_install_handler replaced). */
static inline int shim_set_action(int sig, const struct sigaction *action) { return sigaction(sig, action, NULL); }

/* Whether an action ignores its signal (SIG_IGN). */
static inline int shim_action_ignores(const struct sigaction *action) { return action->sa_handler == SIG_IGN; }

/* endwin() with SIGTTOU blocked, for signal handlers and exit hooks: when a wrapper shell has already taken
   the terminal back (its script stopped or died first), restoring the modes from the background would
   otherwise stop the process (SIGTTOU) instead of restoring. Returns endwin's result. */
static inline int shim_endwin_from_anywhere(void) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTTOU);
    sigprocmask(SIG_BLOCK, &block, &old);
    int result = endwin();
    sigprocmask(SIG_SETMASK, &old, NULL);
    return result;
}

static inline void shim_set_default_handler(int sig) { signal(sig, SIG_DFL); }

static inline void shim_unblock_signal(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

#endif
