package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the YAML node tree into spec records, collecting every structural error (unknown keys,
 * wrong types, bad values) instead of stopping at the first; cross-field rules are {@link
 * SpecValidator}'s. This class reads the top level only and hands each section to its reader
 * ({@link KafkaReader}, {@link InputsReader}, ...); the typed values and the error recording are
 * {@link ValueReader}'s, the defaults {@link SpecDefaults}'.
 */
final class SpecParser {

    static final Pattern APPLICATION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

    private final ValueReader r;

    SpecParser(Map<String, String> env, Path baseDir) {
        this.r = new ValueReader(env, baseDir);
    }

    List<SpecError> errors() {
        return r.errors();
    }

    SourceInfo source() {
        return r.source();
    }

    /**
     * The spec, possibly partial when {@link #errors()} is not empty; empty when the document is
     * not a mapping at all.
     */
    Optional<JobSpec> parse(String yaml) {
        Optional<MappingNode> root = root(yaml);
        if (root.isEmpty()) {
            return Optional.empty();
        }
        Obj o = r.new Obj(root.get(), "");
        Integer version = r.integer(o, "version", null, 1, Integer.MAX_VALUE, true);
        String application = application(o);
        String app = application == null ? "application" : application;
        // Sections in this order: a later one may depend on an earlier one's result (drift and
        // metrics on the declared features, alerts on drift's thresholds).
        KafkaSpec kafka =
                KafkaReader.read(r, o.required("kafka", "expected a mapping"), "kafka", app);
        InputsSpec inputs =
                InputsReader.read(r, o.required("inputs", "expected a mapping"), "inputs");
        JoinSpec join = JoinReader.read(r, o.required("join", "expected a mapping"), "join");
        IcebergSpec iceberg = IcebergReader.read(r, o.optional("iceberg"), "iceberg", app);
        OutputsSpec outputs = OutputsReader.read(r, o.optional("outputs"), "outputs", app);
        PredictionInput predictions = inputs == null ? null : inputs.predictions();
        DriftSpec drift = DriftReader.read(r, o.optional("drift"), "drift", predictions);
        MetricsSpec metrics =
                MetricsReader.read(r, o.optional("metrics"), "metrics", predictions, app);
        List<AlertRuleSpec> alerts = AlertsReader.read(r, o.optional("alerts"), "alerts", drift);
        CurationSpec curation = CurationReader.read(r, o.optional("curation"), "curation", app);
        MaintenanceSpec maintenance =
                MaintenanceReader.read(r, o.optional("maintenance"), "maintenance");
        o.finish();
        return Optional.of(
                new JobSpec(
                        version == null ? 0 : version,
                        application,
                        kafka,
                        inputs,
                        join,
                        iceberg,
                        outputs,
                        drift,
                        metrics,
                        alerts,
                        curation,
                        maintenance));
    }

    /** The document's top-level mapping; empty, with the error recorded, when it is none. */
    private Optional<MappingNode> root(String yaml) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // reported by Obj, with both lines
            root = new Yaml(options).compose(new java.io.StringReader(yaml));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            r.error("spec", line, "%s", "invalid YAML — " + e.getProblem());
            return Optional.empty();
        } catch (YAMLException e) {
            r.error("spec", 0, "%s", "invalid YAML — " + e.getMessage());
            return Optional.empty();
        }
        if (root == null || ValueReader.isNull(root)) {
            r.error(
                    "spec",
                    0,
                    "%s",
                    "empty document — expected a mapping with version, application,"
                            + " kafka, inputs and join");
            return Optional.empty();
        }
        if (!(root instanceof MappingNode)) {
            r.error(
                    "spec",
                    ValueReader.line(root),
                    "expected a mapping with version, application, kafka, inputs and join, got %s",
                    ValueReader.kind(root));
            return Optional.empty();
        }
        return Optional.of((MappingNode) root);
    }

    /** {@code application}: required, a name that can prefix topics and tables. */
    private String application(Obj o) {
        String application = r.string(o, "application", true, "expected a name, e.g. fraud");
        if (application != null && !APPLICATION.matcher(application).matches()) {
            r.error(
                    "application",
                    "invalid application name %s — expected lower-case letters, digits, _ and"
                            + " -, at most 100",
                    r.shown("application", application));
            return null;
        }
        return application;
    }
}
