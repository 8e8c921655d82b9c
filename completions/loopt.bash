# loopt.bash — bash completion for loopt: commands, each command's options, and file names.
# Source it (`. completions/loopt.bash`), or let `make install` put it in
# PREFIX/share/bash-completion/completions/loopt, where bash-completion loads it on demand.
#
# The command list and each command's options are read at completion time from the loopt being
# completed (`loopt help`, `loopt CMD --help`), not kept here: they cannot fall behind the
# binary, and a ./loopt built from another branch completes its own options. Asking it costs a
# few milliseconds per TAB. Only the values of a few options (--format, --halt, gen's task) are
# listed here; every other argument completes as a file name.

_loopt() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local bin=${COMP_WORDS[0]/#\~/$HOME} cmd=${COMP_WORDS[1]}
    local cmds
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ] || { [ "$cmd" = help ] && [ "$COMP_CWORD" -eq 2 ]; }; then
        cmds=$("$bin" help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
        [ "$COMP_CWORD" -eq 1 ] && cmds="$cmds --help --version"
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return
    fi
    case $cmd in help|version) return ;; esac
    if [ "$cmd" = gen ] && [ "$COMP_CWORD" -eq 2 ]; then
        COMPREPLY=($(compgen -W "sudoku maze --help" -- "$cur"))
        return
    fi
    case $prev in
        --format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
        --halt) COMPREPLY=($(compgen -W "none converge kl" -- "$cur")); return ;;
        --model|--resume|--init-from)
            COMPREPLY=($(compgen -f -X '!*.safetensors' -- "$cur") $(compgen -d -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$bin" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _loopt loopt ./loopt
