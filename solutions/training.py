"""Loss and optimiser for training the FCNs (course exercise)."""

from torch import nn, optim


def make_criterion():
    """Cross-entropy over the pixels; void pixels (label 255, object borders) are ignored."""
    ### BEGIN SOLUTION: crie a CrossEntropyLoss ignorando os pixels 'void' (rótulo 255); guarde-a em `criterion`
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    ### END SOLUTION
    return criterion


def compute_loss(outputs, labels, criterion):
    """Loss of a batch: outputs [B, C, H, W] (class scores), labels [B, H, W] (class indices).

    Each pixel is one classification example, so both are flattened: outputs -> [B*H*W, C] and
    labels -> [B*H*W], as in image classification (one row per example, one column per class).
    """
    ### BEGIN SOLUTION: achate outputs para [B*H*W, C] (permute + reshape) e labels para [B*H*W] e aplique o criterion; guarde a perda em `loss`
    num_classes = outputs.shape[1]
    outputs_flat = outputs.permute(0, 2, 3, 1).reshape(-1, num_classes)  # [B, H, W, C] -> [B*H*W, C]
    labels_flat = labels.reshape(-1)  # [B*H*W]
    loss = criterion(outputs_flat, labels_flat)
    ### END SOLUTION
    return loss


def make_optimizer(net, args):
    """Adam for the four cases of the exercise (pretrained or not, with skip connections or not).

    A pretrained backbone already knows useful features, so it is fine-tuned with a 10x smaller
    learning rate than the new classifier. From scratch, every layer uses args['lr'].
    """
    if args['pretrained']:

        if args['skip']:

            # Skip Connections + pretrained.
            ### BEGIN SOLUTION: como no caso sem skip: net.backbone1 e net.backbone2 com lr * 0.1, net.classifier com lr; guarde o Adam em `optimizer`
            optimizer = optim.Adam([{'params': net.backbone1.parameters(), 'lr': args['lr'] * 0.1},
                                    {'params': net.backbone2.parameters(), 'lr': args['lr'] * 0.1},
                                    {'params': net.classifier.parameters()}],
                                   lr=args['lr'],
                                   weight_decay=args['weight_decay'],
                                   betas=(args['momentum'], 0.999))
            ### END SOLUTION

        else:

            # No Skip Connections + pretrained.
            optimizer = optim.Adam([{'params': net.backbone.parameters(), 'lr': args['lr'] * 0.1},
                                    {'params': net.classifier.parameters()}],
                                   lr=args['lr'],
                                   weight_decay=args['weight_decay'],
                                   betas=(args['momentum'], 0.999))
    else:

        if args['skip']:

            # Skip Connections + from scratch.
            ### BEGIN SOLUTION: do zero, todos os parâmetros da rede (net.parameters()) usam o mesmo lr; guarde o Adam em `optimizer`
            optimizer = optim.Adam(net.parameters(),
                                   lr=args['lr'],
                                   weight_decay=args['weight_decay'],
                                   betas=(args['momentum'], 0.999))
            ### END SOLUTION

        else:

            # No Skip Connections + from scratch.
            ### BEGIN SOLUTION: do zero, todos os parâmetros da rede (net.parameters()) usam o mesmo lr; guarde o Adam em `optimizer`
            optimizer = optim.Adam(net.parameters(),
                                   lr=args['lr'],
                                   weight_decay=args['weight_decay'],
                                   betas=(args['momentum'], 0.999))
            ### END SOLUTION

    return optimizer
