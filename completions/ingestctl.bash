# bash completion for ingestctl(1): commands, their options and watch operations.
# Installed to <prefix>/share/bash-completion/completions/ingestctl.

_ingestctl()
{
    local cur prev cmd i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="status stats plugins recent get search export failures retry reprocess reload
        watch top pause resume shutdown raw help"

    # the command is the first word that is not an option or an option's value
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -s|--socket|-c|--config|--timeout) ((i++)) ;;
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done

    case $prev in
        -s|--socket|-c|--config)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --timeout|--interval|--count|-n|--since|--lang)
            COMPREPLY=()
            return ;;
        --after)
            COMPREPLY=($(compgen -W "move keep delete" -- "$cur"))
            return ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--socket --config --json --timeout --help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local opts="--help --json"
    case $cmd in
        get) opts+=" --raw" ;;
        search) opts+=" --raw -n" ;;
        export) opts+=" --jsonl --csv --since --lang" ;;
        retry) opts+=" --all" ;;
        reprocess) opts+=" --all --since --no-wait" ;;
        top) opts+=" --interval --count" ;;
        watch)
            if [[ $prev == watch ]]; then
                COMPREPLY=($(compgen -W "ls add rm" -- "$cur"))
                return
            fi
            if [[ $prev == add || $prev == rm ]]; then
                COMPREPLY=($(compgen -d -- "$cur"))
                return
            fi
            opts+=" --after" ;;
        help)
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            return ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _ingestctl ingestctl
