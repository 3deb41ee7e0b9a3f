using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Rules;

/// <summary>
/// One operation a port must be able to replace (rules/hooks.yaml): the hook a porter implements once, the
/// way Linux's pv_ops members or NetBSD's xpq/xenfunc functions are implemented once for Xen. Rules name it
/// in their <c>operation</c> field.
/// </summary>
public sealed record Hook
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    /// <summary>The port phase (rules/entry-points.yaml) in which the hook is first needed.</summary>
    public required string Phase { get; init; }
    /// <summary>What implementing the hook means for each Xen target.</summary>
    public required ImmutableSortedDictionary<XenTarget, string> Actions { get; init; }
    /// <summary>The hypercalls or shared structures of Xen's public headers, cited by header path.</summary>
    public ImmutableArray<string> Xen { get; init; } = [];
    /// <summary>Linux's pv_ops members for the same operation, cited by header path.</summary>
    public ImmutableArray<string> Linux { get; init; } = [];
    /// <summary>NetBSD's Xen port: the function implementing it and its path.</summary>
    public ImmutableArray<string> NetBsd { get; init; } = [];
    /// <summary>Mini-OS: the function implementing it and its path.</summary>
    public ImmutableArray<string> MiniOs { get; init; } = [];
    /// <summary>Per layer id (<see cref="HookLayer"/>), the functions of that layer that already are this hook.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<string>> ExistingLayers { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<string>>.Empty.WithComparers(StringComparer.Ordinal);
    /// <summary>file:line of the hook's definition.</summary>
    public required string Origin { get; init; }

    public string ActionFor(XenTarget target) => Actions[target];
}

/// <summary>An abstraction layer a kernel already has (XNU's pal_*), whose functions may already be hooks.</summary>
public sealed record HookLayer
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    /// <summary>Headers that declare the layer, relative to the kernel tree.</summary>
    public ImmutableArray<string> Headers { get; init; } = [];
    /// <summary>The first release that has it, when known.</summary>
    public string? Since { get; init; }
    public required string Origin { get; init; }
}

/// <summary>The validated hook table, looked up by id, in file order (roughly boot order).</summary>
public sealed class HookSet
{
    public static readonly HookSet Empty = new([], []);

    public ImmutableArray<Hook> Hooks { get; }
    public ImmutableArray<HookLayer> Layers { get; }
    private readonly Dictionary<string, Hook> _byId;

    public HookSet(IEnumerable<Hook> hooks, IEnumerable<HookLayer> layers)
    {
        Hooks = hooks.ToImmutableArray();
        Layers = layers.ToImmutableArray();
        _byId = new Dictionary<string, Hook>(StringComparer.Ordinal);
        foreach (var hook in Hooks)
        {
            _byId.TryAdd(hook.Id, hook);
        }
    }

    public Hook this[string id] => _byId[id];
    public bool Contains(string id) => _byId.ContainsKey(id);
    public bool TryGet(string id, out Hook hook) => _byId.TryGetValue(id, out hook!);
}
