/*
 * driverapi fixture: an Ethernet driver exercising IOKit calls. Original code written for Parascope's tests.
 */
#include <IOKit/IOKitMini.h>

class FixtureEthernet : public IOEthernetController {
	OSDeclareDefaultStructors(FixtureEthernet)
public:
	bool start(IOService *provider) override;
	void programRing(IOMemoryDescriptor *md, IOGeneralMemoryDescriptor *gmd);

private:
	IOPCIDevice *fPCI = nullptr;
	FixtureCache fCache;
	FixtureRegisterFile fRegs;
};

OSDefineMetaClassAndStructors(FixtureEthernet, IOEthernetController)

static void fixtureInterrupt(void *target, void *refCon, void *nub, int source)
{
	(void)target; (void)refCon; (void)nub; (void)source;
}

bool
FixtureEthernet::start(IOService *provider)
{
	fPCI = static_cast<IOPCIDevice *>(provider);
	UInt32 bar = fPCI->configRead32(0x10); // expect: driver-api.pci-config
	fPCI->configWrite32(0x04, bar | 6); // expect: driver-api.pci-config
	fPCI->setBusMasterEnable(true); // expect: driver-api.pci-enable
	(void)fPCI->ioRead8(0); // expect: driver-api.pci-io-space
	// Inherited by IOPCIDevice from IOService: resolves to IOService::registerInterrupt.
	fPCI->registerInterrupt(0, this, fixtureInterrupt); // expect: driver-api.ioservice-interrupt
	// Virtual through a base-class pointer.
	provider->enableInterrupt(0); // expect: driver-api.ioservice-interrupt
	(void)provider->getDeviceMemoryWithIndex(0); // expect: driver-api.device-memory
	// Same-named methods of unrelated classes.
	fCache.prepare(); // ok: driver-api.iomd-prepare-map
	(void)fRegs.configRead32(0x10); // ok: driver-api.pci-config
	(void)fRegs.registerInterrupt(1); // ok: driver-api.ioservice-interrupt
	// A method of IOService that no rule names.
	(void)provider->getProvider();
	IOFilterInterruptEventSource *src = IOFilterInterruptEventSource::filterInterruptEventSource(this, nullptr, nullptr, provider); // expect: driver-api.filter-interrupt-event-source
	src->disable(); // expect: driver-api.interrupt-event-source
	return IOEthernetController::start(provider);
}

void
FixtureEthernet::programRing(IOMemoryDescriptor *md, IOGeneralMemoryDescriptor *gmd)
{
	IOByteCount length = 0;
	md->prepare(); // expect: driver-api.iomd-prepare-map
	(void)md->getPhysicalSegment(0, &length); // expect: driver-api.iomd-physical-address
	// The subclass's override: still a memory descriptor's physical address.
	(void)gmd->getPhysicalSegment(0, &length); // expect: driver-api.iomd-physical-address
	(void)fCache.getPhysicalSegment(0, &length); // ok: driver-api.iomd-physical-address
	(void)md->getLength();
	IOBufferMemoryDescriptor *buffer = IOBufferMemoryDescriptor::inTaskWithPhysicalMask(nullptr, 0, 4096, 0xFFFFF000ULL); // expect: driver-api.iobmd-physical
	IODMACommand *dma = IODMACommand::withSpecification(32, 4096); // expect: driver-api.iodmacommand
	dma->setMemoryDescriptor(buffer); // expect: driver-api.iodmacommand
	dma->release();
	(void)dma->getMetaClass(); // ok: driver-api.iodmacommand
	md->complete(); // expect: driver-api.iomd-prepare-map
}
