using System.Collections.Concurrent;
using Parascope.Model;

namespace Parascope.Detectors;

/// <summary>Where detectors put findings; safe to add to from several threads.</summary>
public sealed class FindingSink
{
    private readonly ConcurrentQueue<Finding> _findings = new();

    public void Add(Finding finding) => _findings.Enqueue(finding);

    public IReadOnlyCollection<Finding> Findings => _findings;
}
