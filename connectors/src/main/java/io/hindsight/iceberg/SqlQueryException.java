package io.hindsight.iceberg;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.ValidationException;

/**
 * A Flink SQL query over Hindsight's tables that could not be planned or run. Its message is one
 * line meant for a person, with the reason and where the full log (with the whole failure) is:
 *
 * <pre>
 * query failed: SQL validation failed. From line 1, column 15 to line 1, column 20: Object 'nosuch' not found (full log: .hindsight/hindsight.log)
 * query failed while running: IllegalArgumentException: The minBucketMemorySize is not valid! (full log: .hindsight/hindsight.log)
 * </pre>
 */
public final class SqlQueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;
    private final Path log;

    SqlQueryException(String reason, Path log, Throwable cause) {
        super(reason + " (full log: " + log + ")", cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.log = log;
    }

    /** The message without the log's path. */
    public String reason() {
        return reason;
    }

    /** Where the full failure was logged. */
    public Path log() {
        return log;
    }

    /**
     * A one-line reason: the planner's own message when the query is invalid, else the innermost
     * cause, which is what went wrong while it ran (the outer exceptions only say that the job
     * failed).
     */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ValidationException || t instanceof SqlParserException) {
                return "query failed: " + firstLine(t.getMessage());
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return "query failed while running: "
                + root.getClass().getSimpleName()
                + (message == null || message.isBlank() ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String m = message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}
