# csv.awk — CSV helpers shared by the plot and report awk programs (POSIX awk).
# Load it before a program: awk -f plots/csv.awk -f plots/PROGRAM.awk FILES

# csv_split: split one CSV record into f[1..n] (RFC 4180 quoting); returns n
function csv_split(line, f,    n, i, c, q, field, len) {
    sub(/\r$/, "", line)
    if (index(line, "\"") == 0)
        return split(line, f, ",")
    n = 0
    field = ""
    q = 0
    len = length(line)
    for (i = 1; i <= len; i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") {
                    field = field "\""
                    i++
                } else {
                    q = 0
                }
            } else {
                field = field c
            }
        } else if (c == "\"") {
            q = 1
        } else if (c == ",") {
            f[++n] = field
            field = ""
        } else {
            field = field c
        }
    }
    f[++n] = field
    return n
}

# csv_header: fill col[name] = index from a header record; returns the count
function csv_header(line, col,    h, n, i) {
    n = csv_split(line, h)
    for (i = 1; i <= n; i++)
        col[h[i]] = i
    return n
}

# html_escape: s with & < > " ' replaced by entities
function html_escape(s) {
    gsub(/&/, "\\&amp;", s)
    gsub(/</, "\\&lt;", s)
    gsub(/>/, "\\&gt;", s)
    gsub(/"/, "\\&quot;", s)
    gsub(/'/, "\\&#39;", s)
    return s
}
