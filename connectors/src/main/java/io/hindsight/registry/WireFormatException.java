package io.hindsight.registry;

/** A record's bytes are not in the Confluent wire format; the message says what was found. */
public final class WireFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
