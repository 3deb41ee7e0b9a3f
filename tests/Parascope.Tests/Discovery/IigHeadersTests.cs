using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Model;

namespace Parascope.Tests.Discovery;

/// <summary>
/// DriverKit headers generated from original .iig fixtures in XNU's style: a NATIVE class only the .iig declares, a
/// KERNEL class whose kernel header declares it, and kernel code implementing both as XNU's IOUserServer.cpp does.
/// </summary>
public sealed class IigHeadersTests
{
    private const string WidgetIig = """
        #if !__IIG
        #if KERNEL
        #include <IOKit/IOWidgetService.h>
        #endif
        #endif

        #ifndef _IOKIT_UIOWIDGET_H
        #define _IOKIT_UIOWIDGET_H

        #include <DriverKit/OSObject.iig>

        typedef char IOWidgetName[64];
        enum { kIOWidgetOptionFast = 0x1 };
        typedef void (^IOWidgetCancelHandler)(void);

        class NATIVE KERNEL OSWidgetAction : public OSObject
        {
        public:
        	/* Implemented by the kernel as IMPL(OSWidgetAction, Create). */
        	static kern_return_t
        	Create(OSObject * target, uint64_t msgid, OSWidgetAction ** action) LOCAL;

        	virtual void
        	free() override;

        	void *
        	GetReference() LOCALONLY;

        	virtual void
        	CheckForWork(bool synchronous) INVOKEREPLY = 0;
        };

        class KERNEL IOWidgetService : public OSObject
        {
        public:
        	virtual bool
        	init() override;

        	virtual kern_return_t
        	Start(IOWidgetService * provider) LOCAL __attribute__((availability(driverkit,introduced=20.0)));

        	kern_return_t
        	SetName(const IOWidgetName name);

        	virtual void
        	WidgetDone(OSWidgetAction * action TARGET, IOReturn status) REPLY LOCAL;

        	static kern_return_t
        	CreateWithWidgets(uint32_t count, IOWidgetService * const widgets[8], IOWidgetService ** widget) LOCAL;
        };

        #endif
        """;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("osfmk/kern/.keep", string.Empty);
        tree.Write("bsd/kern/.keep", string.Empty);
        tree.Write("iokit/DriverKit/IOWidget.iig", WidgetIig);
        // What DriverKit/OSObject.iig's kernel counterpart gives: the dispatch machinery, in libkern's shape.
        tree.Write("iokit/DriverKit/OSObject.iig", "#ifndef _IOKIT_UOSOBJECT_H\n#define _IOKIT_UOSOBJECT_H\n#define IMPL(c, n) c :: n ## _Impl(c ## _ ## n ## _Args)\n#endif\n");
        tree.Write("libkern/libkern/c++/OSObject.h", """
            #ifndef _OS_OBJECT_H
            #define _OS_OBJECT_H
            typedef int kern_return_t;
            typedef int IOReturn;
            typedef unsigned long long uint64_t;
            typedef unsigned long size_t;
            typedef unsigned int uint32_t;
            #define NULL 0
            struct IORPC { void * message; };
            class OSObject;
            class OSAction;
            typedef kern_return_t (*OSDispatchMethod)(OSObject * self, const IORPC rpc);
            #define OSDeclareDefaultStructorsWithDispatch(className) \
                public: className(void); className ## _Methods className ## _KernelMethods protected:
            class OSObject
            {
            public:
            	virtual bool init();
            	virtual void free();
            };
            #endif
            """);
        tree.Write("iokit/IOKit/IOWidgetService.h", """
            #ifndef _IOKIT_IOWIDGETSERVICE_H
            #define _IOKIT_IOWIDGETSERVICE_H
            #include <libkern/c++/OSObject.h>
            #include <DriverKit/IOWidget.h>
            class IOWidgetService : public OSObject
            {
            	OSDeclareDefaultStructorsWithDispatch(IOWidgetService);
            public:
            	virtual bool init() override;
            	/* The kernel's own SetName: the generated macros must not declare it again. */
            	kern_return_t SetName(const IOWidgetName name);
            };
            #endif
            """);
        tree.Write("iokit/conf/files", "iokit/Kernel/IOWidgetServer.cpp	standard\n");
        tree.Write("iokit/Kernel/IOWidgetServer.cpp", """
            #include <IOKit/IOWidgetService.h>

            struct OSWidgetAction_IVars { void * reference; };

            kern_return_t
            IMPL(OSWidgetAction, Create)
            {
            	(void)target; (void)msgid; (void)action;
            	return kIOWidgetOptionFast;
            }

            void *
            OSWidgetAction::GetReference()
            {
            	return ivars->reference;
            }

            kern_return_t
            IOWidgetService::CreateWithWidgets_Impl(uint32_t count, IOWidgetService ** const widgets, IOWidgetService ** widget)
            {
            	*widget = count ? widgets[0] : 0;
            	return 0;
            }

            kern_return_t
            IOWidgetService::Start_Impl(IOWidgetService * provider)
            {
            	OSWidgetAction * action;
            	(void)provider;
            	return CreateActionWidgetDone(sizeof(void *), (OSAction **)&action);
            }
            """);
        return tree;
    }

    [Fact]
    public void Kernel_code_implementing_driverkit_classes_parses_clean()
    {
        using var tree = Tree();
        using var cache = new TempTree();

        var outcome = tree.ScanWithUnits(cache.Root, "x86_64");

        Assert.Null(outcome.Error);
        var unit = Assert.Single(outcome.Result!.Health.Units, u => u.File == "iokit/Kernel/IOWidgetServer.cpp");
        Assert.True(unit.Status == UnitStatus.Clean, unit.FirstError);
    }

    [Fact]
    public void A_generated_header_declares_rpc_methods_their_impl_and_args_but_not_what_the_kernel_header_declares()
    {
        using var tree = Tree();
        var iig = Path.Combine(tree.Root, "iokit/DriverKit/IOWidget.iig");

        var header = IigHeaders.Generate([iig, Path.Combine(tree.Root, "iokit/DriverKit/OSObject.iig")], tree.Root)["DriverKit/IOWidget.h"];

        Assert.Contains("#define IOWidgetService_Start_Args IOWidgetService * provider", header);
        Assert.Contains("virtual kern_return_t Start(IOWidgetService * provider, OSDispatchMethod supermethod = NULL)", header);
        Assert.Contains("kern_return_t Start_Impl(IOWidgetService * provider)", header);
        Assert.Contains("void CheckForWork_Impl(const IORPC rpc, bool synchronous)", header);
        Assert.DoesNotContain("kern_return_t SetName(", header);
        Assert.Contains("kern_return_t WidgetDone(const IORPC rpc, OSWidgetAction * action, IOReturn status);", header);
        Assert.Contains("#define IOWidgetService_CreateWithWidgets_Args uint32_t count, IOWidgetService * * const widgets, IOWidgetService ** widget", header);
        Assert.Contains("typedef char IOWidgetName[64];", header);
        Assert.DoesNotContain("LOCAL", header);
    }
}
