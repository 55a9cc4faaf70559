package dev.gantry.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awscdk.assertions.Template;

/** Reads a synthesized template as plain maps, for assertions that Template's matchers cannot express. */
final class TemplateJson {

    private final Map<String, Object> json;

    TemplateJson(Template template) {
        this.json = template.toJSON();
    }

    /** Resources of one type, by logical id. */
    Map<String, Map<String, Object>> resources(String type) {
        return map(json.get("Resources")).entrySet().stream()
                .filter(e -> type.equals(map(e.getValue()).get("Type")))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> map(e.getValue())));
    }

    Map<String, Object> only(String type) {
        Map<String, Map<String, Object>> found = resources(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type + ", found " + found.keySet());
        }
        return found.values().iterator().next();
    }

    static Map<String, Object> properties(Map<String, Object> resource) {
        return map(resource.get("Properties"));
    }

    /** Every statement of every identity policy in the template. */
    List<Statement> identityStatements() {
        List<Statement> statements = new ArrayList<>();
        for (Map<String, Object> policy : resources("AWS::IAM::Policy").values()) {
            Map<String, Object> document = map(properties(policy).get("PolicyDocument"));
            for (Object statement : list(document.get("Statement"))) {
                statements.add(new Statement(map(statement)));
            }
        }
        return statements;
    }

    /** Every statement of the identity policies attached to one role. */
    List<Statement> statementsOfRole(String roleLogicalId) {
        List<Statement> statements = new ArrayList<>();
        for (Map<String, Object> policy : resources("AWS::IAM::Policy").values()) {
            Map<String, Object> properties = properties(policy);
            if (!list(properties.get("Roles")).contains(Map.of("Ref", roleLogicalId))) {
                continue;
            }
            for (Object statement : list(map(properties.get("PolicyDocument")).get("Statement"))) {
                statements.add(new Statement(map(statement)));
            }
        }
        return statements;
    }

    /** The logical id of the one resource of {@code type} whose id is {@code prefix} and CDK's eight-digit hash. */
    String idOf(String type, String prefix) {
        List<String> ids = resources(type).keySet().stream().filter(id -> id.matches(Pattern.quote(prefix) + "[0-9A-F]{8}")).toList();
        if (ids.size() != 1) {
            throw new AssertionError("expected one " + type + " named " + prefix + ", found " + ids + " among " + resources(type).keySet());
        }
        return ids.get(0);
    }

    List<Statement> statementsAllowing(String action) {
        return identityStatements().stream().filter(s -> s.actions().contains(action)).toList();
    }

    /** One policy statement, with Action and Resource normalized to lists and ARNs rendered for the aws partition. */
    record Statement(Map<String, Object> raw) {

        List<String> actions() {
            return asList(raw.get("Action")).stream().map(String.class::cast).toList();
        }

        List<String> resources() {
            return asList(raw.get("Resource")).stream().map(TemplateJson::render).toList();
        }

        Object condition() {
            return raw.get("Condition");
        }

        String effect() {
            return (String) raw.get("Effect");
        }
    }

    /** What the CDK writes where a service wants an alias's qualifier: the last part of the alias's ARN. */
    static Map<String, Object> qualifierOf(String aliasLogicalId) {
        return Map.of("Fn::Select", List.of(7, Map.of("Fn::Split", List.of(":", Map.of("Ref", aliasLogicalId)))));
    }

    /**
     * What the CDK writes where a service wants an alias by name ({@code <function name>:<alias>}): the function's name
     * cut out of the alias's ARN, and the alias's own name.
     */
    static Map<String, Object> qualifiedNameOf(String aliasLogicalId, String aliasName) {
        return Map.of("Fn::Join", List.of("", List.of(
                Map.of("Fn::Select", List.of(6, Map.of("Fn::Split", List.of(":", Map.of("Ref", aliasLogicalId))))),
                ":" + aliasName)));
    }

    /** Renders an intrinsic as text: Fn::Join joined, AWS::Partition as "aws", other references as placeholders. */
    static String render(Object value) {
        if (value instanceof String text) {
            return text;
        }
        Map<String, Object> intrinsic = map(value);
        if (intrinsic.containsKey("Fn::Join")) {
            List<Object> args = list(intrinsic.get("Fn::Join"));
            return list(args.get(1)).stream().map(TemplateJson::render).collect(Collectors.joining((String) args.get(0)));
        }
        if (intrinsic.containsKey("Ref")) {
            Object ref = intrinsic.get("Ref");
            return "AWS::Partition".equals(ref) ? "aws" : "${" + ref + "}";
        }
        if (intrinsic.containsKey("Fn::GetAtt")) {
            List<Object> att = list(intrinsic.get("Fn::GetAtt"));
            return "${" + att.get(0) + "." + att.get(1) + "}";
        }
        return intrinsic.toString();
    }

    private static List<Object> asList(Object value) {
        return value instanceof List<?> ? list(value) : List.of(value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}
