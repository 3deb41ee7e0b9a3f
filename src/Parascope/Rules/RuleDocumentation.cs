namespace Parascope.Rules;

/// <summary>
/// Where the project's documentation lives, and each built-in rule's help link in it: an anchor per rule id in the
/// "Rule reference" section of docs/rules.md (generated from the rule set by `parascope rules list --format markdown`
/// and checked by a test). SARIF 2.1.0 wants absolute URIs in reportingDescriptor.helpUri and
/// toolComponent.informationUri (the SARIF Multitool reports a relative helpUri as SARIF1005 UriMustBeAbsolute, and
/// misses an informationUri as SARIF2005), so every link is derived from one base URI.
/// </summary>
public static class RuleDocumentation
{
    /// <summary>
    /// The project's home: README.md at its root, docs/ below it. The repository names no public home yet, so this
    /// is a reserved, never-resolving host (RFC 2606 `.invalid`) to replace, here and only here, once it has one.
    /// </summary>
    public const string ProjectUri = "https://parascope.invalid/";

    /// <summary>The rule reference, relative to the project's root.</summary>
    public const string ReferencePath = "docs/rules.md";

    /// <summary>The tool's information page (SARIF tool.driver.informationUri).</summary>
    public static string InformationUri => ProjectUri;

    /// <summary>
    /// The anchor of a rule in the reference: the id itself, which is lower-case letters, digits and . - _ (the loader
    /// checks), all of them valid in a URI fragment.
    /// </summary>
    public static string Anchor(string ruleId) => ruleId;

    /// <summary>The absolute help link of a built-in rule.</summary>
    public static string HelpUri(string ruleId) => ProjectUri + ReferencePath + "#" + Anchor(ruleId);
}
