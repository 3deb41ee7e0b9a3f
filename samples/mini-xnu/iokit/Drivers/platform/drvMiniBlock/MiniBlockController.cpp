/*
 * mini-xnu: an IOKit-style block controller driver. Original code for Parascope's sample tree.
 */
#include "../../../IOKit/IOService.h"

#define kMiniBlockBAR0	0x10
#define kMiniBlockCmd	0x04

class MiniBlockController : public IOService {
public:
	virtual bool start(IOService *provider);
	static void interruptOccurred(void *target, void *refCon, void *nub, int source);

private:
	IOPCIDevice *fDevice;
	MiniCache fCache;
};

bool
MiniBlockController::start(IOService *provider)
{
	if (!IOService::start(provider)) {
		return false;
	}
	fDevice = static_cast<IOPCIDevice *>(provider);
	uint32_t bar = fDevice->configRead32(kMiniBlockBAR0);
	fDevice->configWrite32(kMiniBlockCmd, bar | 0x6);
	fDevice->setBusMasterEnable(true);
	fCache.prepare();
	provider->registerInterrupt(0, this, &MiniBlockController::interruptOccurred);
	provider->enableInterrupt(0);
	return true;
}

uint64_t
mini_block_dma_address(IOMemoryDescriptor *md)
{
	IOByteCount length = 0;
	md->prepare();
	return md->getPhysicalSegment(0, &length);
}

void
MiniBlockController::interruptOccurred(void *target, void *refCon, void *nub, int source)
{
	(void)target; (void)refCon; (void)nub; (void)source;
}
