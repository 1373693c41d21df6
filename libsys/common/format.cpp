#include "common/format.hpp"

#include <cstdint>

namespace lib {

namespace {

struct Output {
    FormatSink sink;
    void* context;
    size_t count = 0;

    void put(char c) {
        sink(context, c);
        ++count;
    }
    void repeat(char c, int n) {
        for (; n > 0; --n) put(c);
    }
};

struct Spec {
    bool left = false;
    bool zero = false;
    int width = 0;
    int precision = -1;  // for %s: the most characters to print
};

void emit_padded(Output& out, const Spec& spec, const char* text, int length) {
    int pad = spec.width > length ? spec.width - length : 0;
    if (!spec.left) out.repeat(spec.zero ? '0' : ' ', pad);
    for (int i = 0; i < length; ++i) out.put(text[i]);
    if (spec.left) out.repeat(' ', pad);
}

void emit_number(Output& out, Spec spec, uint64_t value, unsigned base, bool negative, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buffer[24];
    int i = sizeof buffer;
    do {
        buffer[--i] = digits[value % base];
        value /= base;
    } while (value);
    if (negative) {
        // A zero-padded negative number keeps its sign in front of the zeros.
        if (spec.zero && spec.width > 0) {
            out.put('-');
            --spec.width;
        } else {
            buffer[--i] = '-';
        }
    }
    emit_padded(out, spec, buffer + i, int(sizeof buffer) - i);
}

}  // namespace

size_t vformat(FormatSink sink, void* context, const char* fmt, va_list args) {
    Output out{sink, context};
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        const char* start = p++;
        Spec spec;
        for (;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '0') spec.zero = true;
            else break;
        }
        while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
        if (*p == '.') {
            spec.precision = 0;
            if (*++p == '*') {
                spec.precision = va_arg(args, int);
                ++p;
            }
            while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
        }
        int longs = 0;
        bool size_type = false;
        for (;; ++p) {
            if (*p == 'l') ++longs;
            else if (*p == 'z') size_type = true;
            else break;
        }
        auto unsigned_arg = [&]() -> uint64_t {
            if (longs || size_type) return va_arg(args, unsigned long);
            return va_arg(args, unsigned int);
        };
        switch (*p) {
        case 'c': {
            char c = char(va_arg(args, int));
            emit_padded(out, spec, &c, 1);
            break;
        }
        case 's': {
            const char* s = va_arg(args, const char*);
            if (!s) s = "(null)";
            int length = 0;
            while ((spec.precision < 0 || length < spec.precision) && s[length]) ++length;
            emit_padded(out, spec, s, length);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = (longs || size_type) ? va_arg(args, long) : va_arg(args, int);
            uint64_t magnitude = v < 0 ? 0 - uint64_t(v) : uint64_t(v);
            emit_number(out, spec, magnitude, 10, v < 0, false);
            break;
        }
        case 'u': emit_number(out, spec, unsigned_arg(), 10, false, false); break;
        case 'o': emit_number(out, spec, unsigned_arg(), 8, false, false); break;
        case 'x': emit_number(out, spec, unsigned_arg(), 16, false, false); break;
        case 'X': emit_number(out, spec, unsigned_arg(), 16, false, true); break;
        case 'p': {
            out.put('0');
            out.put('x');
            emit_number(out, Spec{false, true, 16, -1}, uint64_t(va_arg(args, void*)), 16, false, false);
            break;
        }
        case '%': out.put('%'); break;
        default:
            // Unknown conversion (or the string ended): print it as written.
            for (const char* q = start; q <= p && *q; ++q) out.put(*q);
            if (!*p) return out.count;
        }
    }
    return out.count;
}

namespace {
struct Buffer {
    char* data;
    size_t size;
    size_t used;
};
void buffer_sink(void* context, char c) {
    auto* b = static_cast<Buffer*>(context);
    if (b->used + 1 < b->size) b->data[b->used] = c;
    ++b->used;
}
}  // namespace

size_t vformat_to(char* buffer, size_t size, const char* fmt, va_list args) {
    Buffer b{buffer, size, 0};
    size_t n = vformat(buffer_sink, &b, fmt, args);
    if (size) buffer[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

size_t format_to(char* buffer, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t n = vformat_to(buffer, size, fmt, args);
    va_end(args);
    return n;
}

}  // namespace lib
