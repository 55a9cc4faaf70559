package dev.gantry.reliability.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A secret planted for one test: an obviously fake value, unique in the run, and the forms a leak of it could take in
 * a log line. Values carry {@code /}, {@code +} and {@code =}, as real secret keys and session tokens do, so that their
 * URL-encoded form differs from the raw one; each carries a marker ({@code CANARY000042}) found again in anything that
 * quotes part of it.
 *
 * @param name what the secret is, as a finding names it
 * @param forms the texts whose presence is a leak, keyed by the form's name
 */
record Canary(String name, String value, Map<String, String> forms) {

    private static final AtomicInteger PLANTED = new AtomicInteger();
    // Shorter cores of a base64 form match by chance in unrelated base64 text.
    private static final int SHORTEST_BASE64_CORE = 12;

    /** An access key id: upper-case letters and digits, as AWS issues them. */
    static Canary accessKeyId(String name) {
        String marker = marker();
        return of(name, "FAKEASIA" + marker + "NOTREAL", marker);
    }

    /** A secret access key, session token or other opaque secret, {@code kind} readable in the value. */
    static Canary secret(String name, String kind) {
        String marker = marker();
        return of(name, "FAKE" + kind + marker + "/not+a+real+" + kind.toLowerCase(Locale.ROOT) + "=", marker);
    }

    /**
     * A value made elsewhere, such as a request's signature, which cannot carry a marker: only the value and its
     * encodings count.
     */
    static Canary derived(String name, String value) {
        return of(name, value, null);
    }

    private static String marker() {
        return String.format("CANARY%06d", PLANTED.incrementAndGet());
    }

    private static Canary of(String name, String value, String marker) {
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("as is", value);
        forms.put("URL-encoded", URLEncoder.encode(value, StandardCharsets.UTF_8));
        forms.put("URL-encoded, lower-case hex", lowerCaseHex(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        forms.put("JSON with escaped slashes", value.replace("/", "\\/"));
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        addBase64Cores(forms, "base64", Base64.getEncoder(), bytes);
        addBase64Cores(forms, "base64url", Base64.getUrlEncoder(), bytes);
        if (marker != null) {
            forms.put("a part of it", marker);
        }
        forms.values().removeIf(String::isEmpty);
        // A form equal to one listed before it (the URL-encoded form of a value without special characters) adds nothing.
        Map<String, String> distinct = new LinkedHashMap<>();
        forms.forEach((form, text) -> {
            if (!distinct.containsValue(text)) {
                distinct.put(form, text);
            }
        });
        return new Canary(name, value, Collections.unmodifiableMap(distinct));
    }

    /**
     * Base64 of the value inside a longer text depends on what precedes it: the value starts at one of three offsets in
     * a 3-byte group. For each, the characters that encode only the value's own bytes are the same whatever surrounds
     * it; those are what is searched for.
     */
    private static void addBase64Cores(Map<String, String> forms, String name, Base64.Encoder encoder, byte[] bytes) {
        for (int offset = 0; offset < 3; offset++) {
            int at = offset;
            base64Core(encoder, bytes, offset).ifPresent(core -> forms.put(name + " at offset " + at, core));
        }
    }

    private static Optional<String> base64Core(Base64.Encoder encoder, byte[] bytes, int offset) {
        byte[] shifted = new byte[offset + bytes.length];
        System.arraycopy(bytes, 0, shifted, offset, bytes.length);
        String encoded = encoder.withoutPadding().encodeToString(shifted);
        int start = offset == 0 ? 0 : 4;
        // The last group may share bits with whatever follows the value, or be cut short by the end of the text.
        int end = ((offset + bytes.length) / 3) * 4;
        if (end - start < SHORTEST_BASE64_CORE) {
            return Optional.empty();
        }
        return Optional.of(encoded.substring(start, end));
    }

    private static String lowerCaseHex(String urlEncoded) {
        StringBuilder lower = new StringBuilder(urlEncoded.length());
        for (int i = 0; i < urlEncoded.length(); i++) {
            char c = urlEncoded.charAt(i);
            if (c == '%' && i + 2 < urlEncoded.length()) {
                lower.append('%').append(urlEncoded.substring(i + 1, i + 3).toLowerCase(Locale.ROOT));
                i += 2;
            } else {
                lower.append(c);
            }
        }
        return lower.toString();
    }
}
