package io.hindsight.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The payment team's producer schemas: {@code FraudScore} (predictions) and {@code Chargeback}
 * (feedback), read from their {@code .avsc} files.
 */
public record FraudSchemas(Schema prediction, Schema feedback) {

    public FraudSchemas {
        Objects.requireNonNull(prediction, "prediction");
        Objects.requireNonNull(feedback, "feedback");
    }

    /** Reads {@code prediction.avsc} and {@code feedback.avsc} from a directory. */
    public static FraudSchemas load(Path directory) throws IOException {
        return load(directory.resolve("prediction.avsc"), directory.resolve("feedback.avsc"));
    }

    /** Reads the two schema files. */
    public static FraudSchemas load(Path predictionAvsc, Path feedbackAvsc) throws IOException {
        return new FraudSchemas(parse(predictionAvsc), parse(feedbackAvsc));
    }

    private static Schema parse(Path file) throws IOException {
        try {
            return new Schema.Parser().parse(Files.readString(file));
        } catch (SchemaParseException e) {
            throw new IOException("Invalid Avro schema in " + file + ": " + e.getMessage(), e);
        }
    }
}
