function __receptor_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __receptor_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __receptor_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __receptor_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __receptor_parse_tokens -S
    set -l unparsed_tokens (__receptor_tokens -pc)
    switch $unparsed_tokens[1]
    case 'receptor'
        __receptor_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'console'
            __receptor_parse_subcommand 0 'store=' 'server=' 'data-dir=' 'version' 'h/help'
        case 'init'
            __receptor_parse_subcommand 0 'store=' 'server=' 'data-dir=' 'role=' 'fqdn=' 'accepted-domain=+' 'port-offset=' 'version' 'h/help'
        case 'shell'
            __receptor_parse_subcommand 1 'store=' 'server=' 'data-dir=' 'c=' 'file=' 'version' 'h/help'
        case 'listen'
            __receptor_parse_subcommand 0 'store=' 'server=' 'data-dir=' 'log-level=' 'io-threads=' 'sync=' 'usage-days=' 'control-port=' 'control-address=' 'version' 'h/help'
        case 'status'
            __receptor_parse_subcommand 0 'store=' 'server=' 'data-dir=' 'json' 'version' 'h/help'
        case 'store'
            __receptor_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'copy'
                __receptor_parse_subcommand 0 'from=' 'to=' 'version' 'h/help'
            end
        case 'help'
            __receptor_parse_subcommand -r 1 'version'
        end
    end
end

function __receptor_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __receptor_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __receptor_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __receptor_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__receptor_tokens -p)
    if test -z "$(__receptor_tokens -t)"
        set -l index (count (__receptor_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'receptor' -f
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'console' -d 'The console: receive connectors per server, the New receive connector wizard, the edit dialog.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'init' -d 'Create the store, a server and its default receive connectors, as Exchange setup does.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'shell' -d 'Run Exchange Management Shell commands against the store.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'listen' -d 'Run the SMTP listener for a server, in the foreground, until SIGTERM or SIGINT.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'status' -d 'Show the listeners registered in this store and their state.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'store' -d 'Work on whole stores (copy an organization between SQLite and PostgreSQL).'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor console" store' -l 'store' -d 'The store file, or a PostgreSQL URI (postgresql://user@host:5432/receptor).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor console" server' -l 'server' -d 'The server the command acts on.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor console" data-dir' -l 'data-dir' -d 'The data directory (certificates, logs, mailboxes, queue, control sockets); default: the SQLite store\'s folder, or $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor console" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor console" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" store' -l 'store' -d 'The store file, or a PostgreSQL URI (postgresql://user@host:5432/receptor).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" server' -l 'server' -d 'The server the command acts on.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" data-dir' -l 'data-dir' -d 'The data directory (certificates, logs, mailboxes, queue, control sockets); default: the SQLite store\'s folder, or $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" role' -l 'role' -d 'The server\'s role.' -rfka 'Mailbox Edge'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" fqdn' -l 'fqdn' -d 'The server\'s fully qualified name (default: the server name under the first accepted domain).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init"' -l 'accepted-domain' -d 'An accepted domain (authoritative); repeat for more. The first is the default.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" port-offset' -l 'port-offset' -d 'Add N to every default connector\'s port.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" store' -l 'store' -d 'The store file, or a PostgreSQL URI (postgresql://user@host:5432/receptor).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" server' -l 'server' -d 'The server the command acts on.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" data-dir' -l 'data-dir' -d 'The data directory (certificates, logs, mailboxes, queue, control sockets); default: the SQLite store\'s folder, or $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" c' -s 'c' -d 'The command line to run.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" File file' -o 'File' -l 'file' -d 'A script to run (.ps1).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor shell" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" store' -l 'store' -d 'The store file, or a PostgreSQL URI (postgresql://user@host:5432/receptor).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" server' -l 'server' -d 'The server the command acts on.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" data-dir' -l 'data-dir' -d 'The data directory (certificates, logs, mailboxes, queue, control sockets); default: the SQLite store\'s folder, or $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" io-threads' -l 'io-threads' -d 'Threads for blocking work (checking AUTH passwords against their slow hashes).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" sync' -l 'sync' -d 'How accepted messages are made durable before the 250 after DATA: "filesystem" (syncfs once per batch of concurrent messages; best when the data directory\'s file system is Receptor\'s alone) or "file" (fsync of each file and folder of the batch).' -rfka 'filesystem file'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" usage-days' -l 'usage-days' -d 'Days of connector usage to keep in usage/ in the data directory (who sent through each connector: Get-ReceiveConnectorUsage); 0 records none.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" control-port' -l 'control-port' -d 'Also serve the control protocol (the console\'s monitor, usage) on this TCP port, for consoles on other hosts: TLS only, with the server\'s certificate, and only to a console holding the organization\'s control secret from the store. Off by default; 0 takes any free port (receptor status shows it).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" control-address' -l 'control-address' -d 'The address the control port binds (default: every IPv4 address, 0.0.0.0).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor listen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor status" store' -l 'store' -d 'The store file, or a PostgreSQL URI (postgresql://user@host:5432/receptor).' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor status" server' -l 'server' -d 'The server the command acts on.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor status" data-dir' -l 'data-dir' -d 'The data directory (certificates, logs, mailboxes, queue, control sockets); default: the SQLite store\'s folder, or $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor status" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor status" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor store" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor store" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_positional "receptor store" -eq 1' -fa 'copy' -d 'Copy a whole organization into an empty store.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor store copy" from' -l 'from' -d 'The store to copy from: a file or a PostgreSQL URI.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor store copy" to' -l 'to' -d 'The empty store to copy into: a file or a PostgreSQL URI.' -rfka ''
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor store copy" version' -l 'version' -d 'Show the version.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor store copy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'receptor' -n '__receptor_should_offer_completions_for_flags_or_options "receptor help" version' -l 'version' -d 'Show the version.'
